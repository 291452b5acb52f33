"""The library's search: relevance on every database, -ise/-ize alike, plain-text excerpts,
and "Next review in" under an hour."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from fsrs import Scheduler

from quizzes.library.queries import schedule_in_words
from quizzes.library.text import inline_html, plain_text, spellings
from quizzes.models import Card
from quizzes.tests.factories import QuestionFactory, TopicFactory

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def bank(db):
    topic = TopicFactory(name="Foundations", slug="foundations", order=0)
    norms = TopicFactory(name="Normalisation", slug="normalisation", order=1)
    perceptron = QuestionFactory(
        key="aaa-perceptron",
        topic=topic,
        prompt="What can a single perceptron not learn?",
        answer="XOR. Unlike a deep net with layer norm, it has one linear boundary.",
    )
    layer_norm = QuestionFactory(
        key="zzz-layer-norm",
        topic=norms,
        prompt="Why does layer normalisation suit transformers?",
        answer="It uses **per-token** statistics: $\\mu = \\frac{1}{d}\\sum_i x_i$, no batch.",
    )
    batch_norm = QuestionFactory(
        key="batch-normalisation",
        topic=norms,
        prompt="What does batch normalisation do at test time?",
        answer="It uses running averages of the `mean` and variance.",
    )
    return {"perceptron": perceptron, "layer_norm": layer_norm, "batch_norm": batch_norm}


def _url(question):
    return reverse("library_question", args=[question.topic.slug, question.key])


def test_a_prompt_match_comes_before_an_answer_match(client, bank):
    html = client.get(reverse("library"), {"q": "layer norm"}).content.decode()
    first, second = _url(bank["layer_norm"]), _url(bank["perceptron"])
    assert first in html and second in html
    assert html.index(first) < html.index(second)


@pytest.mark.parametrize("text", ["batch normalization", "batch normalisation", "normalize"])
def test_ize_and_ise_find_the_same_questions(client, bank, text):
    html = client.get(reverse("library"), {"q": text}).content.decode()
    assert _url(bank["batch_norm"]) in html, text


def test_excerpts_show_plain_words_not_markdown(client, bank):
    html = client.get(reverse("library"), {"q": "token"}).content.decode()
    excerpt = html[html.index('class="excerpt') :][:400]
    assert "**" not in excerpt and "$" not in excerpt
    assert "per-<mark>token</mark>" in excerpt or "<mark>per-token</mark>" in excerpt
    assert "\\frac{1}{d}" in excerpt


def test_plain_text_strips_markdown_and_keeps_tex():
    markdown = (
        "## Why\n\n**AdamW** decouples *weight decay*; scale by $1/\\sqrt{d_k}$.\n"
        "- see [the paper](https://arxiv.org)\n```python\nx = `1`\n```\n$$a_1 + b$$"
    )
    assert plain_text(markdown) == (
        "Why AdamW decouples weight decay; scale by 1/\\sqrt{d_k}. see the paper x = 1 a_1 + b"
    )
    assert plain_text("cut **in two") == "cut in two"


@pytest.mark.parametrize(
    ("term", "both"),
    [
        ("normalization", ["normalization", "normalisation"]),
        ("normalise", ["normalise", "normalize"]),
        ("optimizer", ["optimizer", "optimiser"]),
        ("analysed", ["analysed", "analyzed"]),
        ("norm", ["norm"]),
        ("size", ["size"]),
    ],
)
def test_spellings(term, both):
    assert spellings(term) == both


@pytest.mark.parametrize(
    ("due_in", "words"),
    [
        (timedelta(minutes=5), "Next review in 5 minutes"),
        (timedelta(seconds=20), "Next review in 1 minute"),
        (timedelta(minutes=59), "Next review in 59 minutes"),
        (timedelta(minutes=90), "Next review in 2 hours"),
        (timedelta(days=3), "Next review in 3 days"),
    ],
)
def test_next_review_says_minutes_under_an_hour(due_in, words):
    card = Card(due=NOW + due_in, stability=None)
    assert schedule_in_words(card, NOW)["next"] == words


def test_how_long_it_is_remembered_is_counted_to_the_learners_desired_retention():
    # Stability is the time to 90% recall; at 85% the same memory lasts longer, and the
    # next review is timed by the learner's own retention (as the dashboard says it).
    card = Card(due=NOW + timedelta(days=4), stability=2.0, last_review=NOW)
    at_85 = Scheduler(desired_retention=0.85, enable_fuzzing=False)
    memory = schedule_in_words(card, NOW, at_85)["memory"]
    assert memory.startswith("Chance you recall it now: about 100%")
    assert "keep it at 85% or better for about 4 days" in memory
    at_90 = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    assert "at 90% or better for about 2 days" in schedule_in_words(card, NOW, at_90)["memory"]


def test_inline_html_keeps_whole_formulas_for_katex_and_escapes_the_rest():
    html = inline_html(r"Why is **$1/\sqrt{d_k}$** used when $a<b$ & `x`?")
    assert html == (
        r'Why is <span class="math inline">1/\sqrt{d_k}</span> used when '
        '<span class="math inline">a&lt;b</span> &amp; x?'
    )


def test_inline_html_cuts_between_formulas_never_inside_one():
    text = r"Suppose the components of $q$ and $k$ are independent with $\operatorname{Var}=1$ each"
    html = inline_html(text, limit=50)
    assert html.endswith("…")
    assert html.count('<span class="math inline">') == html.count("</span>") == 2
    assert r"\operatorname" not in html
    assert inline_html(r"$\sum_{i=1}^{n} x_i^2 + y$ is long", limit=5).startswith(
        r'<span class="math inline">\sum_{i=1}^{n} x_i^2 + y</span>'
    )


def test_inline_html_cuts_long_prose_at_a_word():
    html = inline_html("word " * 40 + "$x$", limit=30)
    assert html == "word word word word word word…"


def test_inline_html_takes_the_texts_own_private_use_characters_for_no_formula():
    assert inline_html("odd \U000f0003 character and $x$") == (
        'odd character and <span class="math inline">x</span>'
    )


def test_inline_html_takes_no_search_mark_into_a_formula():
    assert inline_html("\ue000softmax\ue001 of $\\text{\ue000softmax\ue001}(x)$") == (
        '\ue000softmax\ue001 of <span class="math inline">\\text{softmax}(x)</span>'
    )


@pytest.mark.django_db
def test_a_search_result_typesets_the_maths_of_its_name_and_excerpt(client):
    QuestionFactory(
        prompt="Why scale attention by $1/\\sqrt{d_k}$?",
        answer="Dot products of $d_k$ terms grow with variance $d_k$, so softmax saturates.",
    )
    html = client.get(reverse("library"), {"q": "softmax"}).content.decode()
    assert '<span class="math inline">1/\\sqrt{d_k}</span>' in html
    assert "variance <span" in html and "$" not in html.split('id="results"')[1]
