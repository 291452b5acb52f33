"""Suggested key points, confidence from the keyboard and a calculation, in a real browser."""

import pytest

from conftest import login_in_browser, screenshot, settle
from quizzes import services
from quizzes.models import Answer, Kind, Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_suggested_points_are_ticked_and_the_learner_decides(page, learner):
    question = QuestionFactory(
        prompt="What does dropout do at test time?",
        key_points=["Dropout is disabled at test time", "Activations are scaled by 1/(1-p)"],
    )
    first, second = question.key_points.all()
    calculation = QuestionFactory(
        kind=Kind.CALCULATION, expected=112, unit="GB", tolerance=0.05, prompt="7B under Adam?"
    )
    session = services.start_session(
        user=learner, mode=Mode.RANDOM, size=2, question_ids=[question.pk, calculation.pk]
    ).session
    login_in_browser(page, learner)
    page.goto(session.get_absolute_url())
    settle(page)
    page.get_by_label("Your answer").fill("At test time dropout is disabled.")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("q")  # Sure
    assert page.locator('input[name="confidence"][value="sure"]').is_checked()
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("heading", name="Reference answer").wait_for()
    settle(page)
    assert page.locator(f'input[value="{first.pk}"]').is_checked()
    assert not page.locator(f'input[value="{second.pk}"]').is_checked()
    assert page.locator("[data-suggested]").inner_text() == "Hard"
    screenshot(page, "practice-suggested")
    page.locator(f'input[value="{second.pk}"]').check()
    assert page.locator("[data-suggested]").inner_text() == "Good"
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("3")
    page.get_by_role("heading", name="Question 2 of 2").wait_for()
    settle(page)
    answer = Answer.objects.get()
    assert answer.key_points_suggested == [first.pk]
    assert answer.key_points_ticked == sorted([first.pk, second.pk])
    assert answer.confidence == "sure"
    # The session remembers "Sure" for the next question.
    assert page.locator('input[name="confidence"][value="sure"]').is_checked()
    page.get_by_label("Your number").fill("56 GB")
    page.get_by_role("button", name="Show answer").click()
    page.get_by_text("Expected 112 GB, you said 56 GB.").wait_for()
