"""The question page's Show answer reads Hide answer once opened, and closes again."""

import pytest

from conftest import settle
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_answer_becomes_hide_answer(page):
    question = QuestionFactory(prompt="What is dropout?", answer="Zeroing random activations.")
    page.goto(f"/questions/{question.topic.slug}/{question.key}/")
    settle(page)
    answer = page.get_by_text("Zeroing random activations.")
    page.get_by_text("Show answer").click()
    assert answer.is_visible()
    assert not page.get_by_text("Show answer").is_visible()
    page.get_by_text("Hide answer").click()
    assert not answer.is_visible()
    assert page.get_by_text("Show answer").is_visible()
