from html.parser import HTMLParser
from unittest import mock

import pytest
from django.utils.safestring import SafeString

from conftest import clear_cache
from quizzes.models import questions as models
from quizzes.rendering import render_markdown, sanitise
from quizzes.tests.factories import QuestionFactory


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with a class."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[tuple[str, str]] = []
        self.text_by_class: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._open.append((tag, attributes.get("class") or ""))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, css_class in self._open:
            if css_class:
                self.text_by_class.setdefault(css_class, []).append(data)


def _assert_inert(html: str) -> None:
    elements = _Elements(html).elements
    tags = {tag for tag, _ in elements}
    assert not tags & {"script", "iframe", "img", "object", "embed", "style"}
    for tag, attributes in elements:
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_cache()
    yield
    clear_cache()


def test_script_image_handlers_and_javascript_links_render_inert():
    html = render_markdown(
        "Look: <script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))"
    )

    _assert_inert(html)
    # Shown to the reader as text, not dropped silently.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<a" not in html


def test_sanitiser_strips_what_markdown_never_produces():
    html = sanitise(
        '<p onclick="x()" style="color:red">hi</p><script>alert(1)</script>'
        '<iframe src="https://example.com"></iframe>'
        '<a href="javascript:alert(1)">bad</a><a href="https://example.com">good</a>'
    )

    _assert_inert(html)
    assert "alert" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer">good</a>' in html


def test_links_get_noopener():
    html = render_markdown("[paper](https://arxiv.org/abs/1412.6980)")

    assert '<a href="https://arxiv.org/abs/1412.6980" rel="noopener noreferrer">paper</a>' in html


def test_fenced_code_is_highlighted_by_pygments():
    html = render_markdown("```python\ndef f(x):\n    return x < 1\n```")

    assert '<pre class="highlight"><code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html
    assert "&lt;" in html


def test_unknown_language_is_plain_escaped_code():
    html = render_markdown("```no-such-language\n<b>bold?</b>\n```")

    assert html.startswith('<pre class="highlight"><code>&lt;b&gt;bold?&lt;/b&gt;')
    assert "<span" not in html


def test_math_survives_markdown_verbatim():
    html = render_markdown(
        "Inline $a_1 * b_2$ and *emphasis*.\n\n$$\\frac{a}{b} + x_1 * y_2$$\n\nAfter."
    )

    text = _Elements(html).text_by_class
    assert "".join(text["math inline"]) == "a_1 * b_2"
    assert "".join(text["math block"]).strip() == "\\frac{a}{b} + x_1 * y_2"
    assert "<em>emphasis</em>" in html
    assert '<span class="math inline">a_1 * b_2</span>' in html
    assert html.count("<em>") == 1


def test_math_is_html_escaped():
    html = render_markdown("$a < b$ and $x<script>$")

    _assert_inert(html)
    assert '<span class="math inline">a &lt; b</span>' in html


def test_tables_and_strikethrough():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~")

    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-right">2</td>' in html
    assert "<s>gone</s>" in html


def test_render_markdown_returns_safe_string():
    assert isinstance(render_markdown("*hi*"), SafeString)


@pytest.mark.django_db
def test_question_html_is_rendered_when_saved_and_read_with_the_row():
    with mock.patch.object(models, "render_markdown", wraps=render_markdown) as renderer:
        question = QuestionFactory(prompt="What is $x_1$?", answer="**Bold** answer")
        assert renderer.call_count == 2  # the prompt and the answer, when saved

        # Another request's instance reads the HTML with the row: no render, no cache.
        fresh = models.Question.objects.get(pk=question.pk)
        with mock.patch.object(models.cache, "get") as shared:
            assert fresh.prompt_html == '<p>What is <span class="math inline">x_1</span>?</p>\n'
            assert fresh.answer_html == "<p><strong>Bold</strong> answer</p>\n"
        shared.assert_not_called()
        assert renderer.call_count == 2

        question.prompt = "What is $y_2$?"
        question.save()
        assert renderer.call_count == 4
        assert "y_2" in models.Question.objects.get(pk=question.pk).prompt_html
        question.save(update_fields=["prompt"])  # the same text: nothing to render again
        assert renderer.call_count == 4


@pytest.mark.django_db
def test_html_stored_by_another_renderer_is_not_served(monkeypatch):
    question = QuestionFactory(prompt="Kept *here*")
    monkeypatch.setattr(models, "RENDER_VERSION", models.RENDER_VERSION + 1)
    with mock.patch.object(models, "render_markdown", wraps=render_markdown) as renderer:
        assert "<em>here</em>" in models.Question.objects.get(pk=question.pk).prompt_html
    assert renderer.call_count == 1


@pytest.mark.django_db
def test_question_html_is_kept_in_the_process_in_front_of_the_cache():
    question = QuestionFactory(prompt="Old")
    # Text changed without save: the stored HTML is stale, the caches serve instead.
    models.Question.objects.filter(pk=question.pk).update(prompt="Kept *here*")
    assert "<em>here</em>" in models.Question.objects.get(pk=question.pk).prompt_html
    with mock.patch.object(models.cache, "get") as shared:
        # Another request's instance of the same revision: no round trip to the cache.
        assert "<em>here</em>" in models.Question.objects.get(pk=question.pk).prompt_html
    shared.assert_not_called()


@pytest.mark.django_db
def test_edit_that_skips_updated_at_still_rerenders():
    question = QuestionFactory(prompt="Old")
    assert "Old" in question.prompt_html

    models.Question.objects.filter(pk=question.pk).update(prompt="New")

    assert "New" in models.Question.objects.get(pk=question.pk).prompt_html


@pytest.mark.django_db
def test_html_stored_before_a_new_release_of_the_sanitiser_is_rendered_again(monkeypatch):
    question = QuestionFactory(prompt="Kept *here*")
    monkeypatch.setattr(models, "RENDERER_PACKAGES", models.RENDERER_PACKAGES + ":nh3=99")
    with mock.patch.object(models, "render_markdown", wraps=render_markdown) as renderer:
        assert "<em>here</em>" in models.Question.objects.get(pk=question.pk).prompt_html
    assert renderer.call_count == 1
