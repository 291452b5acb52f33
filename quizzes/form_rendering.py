"""A form renderer that writes the inputs of the hottest forms in Python.

Every card the answer loop sends renders a hidden position, the answer box, three
confidence radios and two empty error lists; through templates that is a template
render each, a tenth of the grade's time. A library page's search box and four menus were
some seventy templates (each option is one). The HTML here is the same as Django's
templates give (test_form_rendering compares them); anything else goes to them.

The hidden position, the confidence radios and the empty answer box take a few values only,
and each card sends them again: their HTML is kept, per value, for the process (`_fixed`).
"""

from collections.abc import Callable
from functools import lru_cache

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    # django/forms/widgets/input.html (without its final newline)
    value = widget["value"]
    value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        mark_safe(value_attr),
        mark_safe(_attrs(widget["attrs"])),
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        mark_safe(_attrs(widget["attrs"])),
        value if value else "",
    )


def _confidence_option(widget: dict) -> str:
    # quizzes/confidence_option.html: the included input keeps its newline there.
    label_for = widget["attrs"].get("id")
    return format_html(
        "<label{}>{}\n {} <kbd>{}</kbd></label>",
        format_html(' for="{}"', label_for) if label_for else "",
        _input(widget),
        widget["label"],
        widget["shortcut"],
    )


# What `_fixed` keeps a widget's HTML for: values of a plain type, and short (a position,
# a choice, an id, a class). A SafeString, or a long text, is written afresh.
_KEPT_TYPES = (type(None), bool, int, str)
_KEPT_LENGTH = 40


def _key(widget: dict) -> tuple | None:
    """The widget's values, then its attributes', as a key (with the type of those not
    strings: 1 is not True), or None when one of them is not for keeping."""
    key = ([], [])
    for part, items in zip(key, (widget.items(), widget["attrs"].items()), strict=True):
        for name, value in items:
            kind = type(value)
            if kind is str:
                if len(value) > _KEPT_LENGTH:
                    return None
                part.append((name, value))
            elif kind in _KEPT_TYPES:
                part.append((name, kind, value))
            elif name != "attrs":
                return None
    return tuple(key[0]), tuple(key[1])


def _fixed(render: Callable[[dict], str]) -> Callable[[dict], str]:
    """`render`, with its HTML kept for each widget it has seen whose values are all for
    keeping (`_key`): a few per card. A value a post sent that is long or odd is written
    afresh, so nothing a client sends can fill the memory."""

    @lru_cache(maxsize=512)
    def cached(key: tuple) -> str:
        fields, attrs = key
        widget = {entry[0]: entry[-1] for entry in fields}
        return render({**widget, "attrs": {entry[0]: entry[-1] for entry in attrs}})

    def render_widget(widget: dict) -> str:
        key = _key(widget)
        return render(widget) if key is None else cached(key)

    render_widget.cache_info = cached.cache_info
    render_widget.cache_clear = cached.cache_clear
    return render_widget


_fixed_input = _fixed(_input)
_fixed_confidence_option = _fixed(_confidence_option)
_fixed_textarea = _fixed(_textarea)


def _select(widget: dict) -> str | None:
    # django/forms/widgets/select.html with select_option.html for each option: a library
    # page's four menus were seventy templates rendered (issue #22). Option groups, and
    # options of another template, go to the templates.
    options = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            return None
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None
            options.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    str(option["value"]),
                    mark_safe(_attrs(option["attrs"])),
                    option["label"],
                )
            )
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        mark_safe(_attrs(widget["attrs"])),
        mark_safe("".join(options)),
    )


def _answer_box(widget: dict) -> str:
    # Empty on every new card: kept then. With the learner's text in it, written afresh.
    return _textarea(widget) if widget["value"] else _fixed_textarea(widget)


def _no_errors(errors) -> str | None:
    # An empty error list renders nothing; a list with errors goes to the template.
    return "" if not errors else None


RENDERERS = {
    "django/forms/widgets/hidden.html": lambda context: _fixed_input(context["widget"]),
    "django/forms/widgets/text.html": lambda context: _input(context["widget"]),
    "django/forms/widgets/search.html": lambda context: _input(context["widget"]),
    "django/forms/widgets/select.html": lambda context: _select(context["widget"]),
    "django/forms/widgets/textarea.html": lambda context: _answer_box(context["widget"]),
    "quizzes/confidence_option.html": lambda context: _fixed_confidence_option(context["widget"]),
    "django/forms/errors/list/default.html": lambda context: _no_errors(context["errors"]),
}


class DirectFormRenderer(DjangoTemplates):
    """Django's renderer, with the widgets of RENDERERS written directly."""

    def render(self, template_name, context, request=None) -> SafeString | str:
        render = RENDERERS.get(template_name)
        html = render(context) if render else None
        if html is None:
            return super().render(template_name, context, request=request)
        return html


direct_renderer = DirectFormRenderer()
