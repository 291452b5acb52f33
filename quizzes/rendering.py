"""
Markdown to safe HTML for prompts and answers.

markdown-it-py parses CommonMark with tables and strikethrough; dollarmath keeps
`$…$` and `$$…$$` away from the Markdown parser and emits the TeX, escaped, in
`<span class="math inline">` / `<div class="math block">` for static/js/app.js
to typeset with KaTeX. Fenced code is highlighted by Pygments on the server
(classes styled by static/css/code.css). nh3 then sanitises the result, so a
question's text can never put script into a learner's page.
"""

from functools import cache

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "img", "li", "ol", "p", "pre", "s", "span", "strong", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "span": {"class"},
    "div": {"class"},
    "pre": {"class"},
    "code": {"class"},
    "th": {"class"},
    "td": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template"}

_formatter = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Pygments-highlighted code in `<pre class="highlight">`; plain escaped code otherwise."""
    lexer = None
    if lang:
        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = None
    body = pygments_highlight(code, lexer, _formatter) if lexer else escape(code)
    language = f' class="language-{escape(lexer.aliases[0])}"' if lexer and lexer.aliases else ""
    return f'<pre class="highlight"><code{language}>{body}</code></pre>'


def _table_alignment_as_class(state: StateCore) -> None:
    # markdown-it aligns table cells with style="text-align:…", but style
    # attributes are not allowed through the sanitiser; use a class instead.
    for token in state.tokens:
        if token.type not in {"th_open", "td_open"}:
            continue
        style = token.attrGet("style")
        if style and style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrSet("class", f"align-{style.removeprefix('text-align:')}")


def _math_inline_double(self, tokens, idx, options, env) -> str:
    return f'<span class="math block">{escape(tokens[idx].content)}</span>'


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        # Editors write Markdown, not HTML: raw HTML comes out as visible text.
        {"html": False, "highlight": _highlight},
    ).enable(["table", "strikethrough"])
    # "$$…$$" inside a sentence is display maths too, not a pair of stray dollars; a span
    # (the plugin's own renderer writes a <div>, which may not sit inside a <p>).
    md.use(dollarmath_plugin, double_inline=True)
    md.add_render_rule("math_inline_double", _math_inline_double)
    md.core.ruler.push("table_alignment_as_class", _table_alignment_as_class)
    return md


def sanitise(html: str) -> str:
    """Keep only the tags and attributes our Markdown produces; links get rel=noopener."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    """Render a prompt or answer to sanitised HTML that is safe to put on a page."""
    return mark_safe(sanitise(_parser().render(text or "")))
