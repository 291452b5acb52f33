"""A question's name in the admin and in lists: its prompt's first line, cut with an ellipsis."""

import pytest

from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_a_long_prompt_is_cut_with_an_ellipsis():
    prompt = (
        "Why does a transformer divide its attention scores by the square root of the key "
        "dimension?"
    )
    text = str(QuestionFactory(prompt=prompt + "\nSecond line."))
    assert len(text) == 80
    assert text.endswith("…")
    assert text[:-1] == prompt[:79]


def test_a_short_prompt_is_whole():
    assert str(QuestionFactory(prompt="What is dropout?\nMore.")) == "What is dropout?"


def test_in_a_page_the_name_typesets_its_formulas_and_drops_markdown():
    question = QuestionFactory(prompt="Why is **$1/\\sqrt{d_k}$** the `scale`?\nMore.")
    assert question.name_html == (
        'Why is <span class="math inline">1/\\sqrt{d_k}</span> the scale?'
    )


def test_the_inline_maths_filter_cuts_prose_between_formulas():
    from django.template import Context, Template

    rendered = Template("{% load quizzes_text %}{{ text|inline_maths:30 }}").render(
        Context({"text": "If $q$ and $k$ have unit variance, $q \\cdot k$ has variance $d$."})
    )
    assert rendered.startswith('If <span class="math inline">q</span> and')
    assert rendered.endswith("…") and "\\cdot" not in rendered
