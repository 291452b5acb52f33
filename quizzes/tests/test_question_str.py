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
