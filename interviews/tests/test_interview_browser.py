"""A short mock interview in a real browser: one follow-up and one auto-reveal, with
JavaScript (htmx, the live clocks) and without (the clock as the time left at load)."""

from datetime import timedelta

import pytest

from conftest import login_in_browser, screenshot, settle
from interviews.models import Interview, InterviewStep
from quizzes.models import Answer, FollowUp
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(db):
    topic = TopicFactory(name="Regularisation", slug="regularisation")
    dropout = QuestionFactory(
        topic=topic,
        key="regularisation-dropout",
        difficulty="easy",
        prompt="What does **dropout** do, and why does it help?",
        answer="It zeroes units at random during training.",
        key_points=["Zeroes units with probability p", "Disabled at inference, with rescaling"],
    )
    FollowUp.objects.create(
        question=dropout,
        after_missing=2,
        prompt="What changes about dropout when you switch the model to evaluation?",
        answer="It is switched off; inverted dropout already scaled by $1/(1-p)$.",
    )
    QuestionFactory(
        topic=topic,
        key="regularisation-weight-decay",
        difficulty="medium",
        prompt="How does weight decay differ from L2 regularisation under Adam?",
        answer="Decoupled decay is not rescaled by the adaptive denominator.",
        key_points=["Decoupled from the gradient", "Not divided by sqrt(v)"],
    )
    return topic


def _start(page):
    page.goto("/interview/")
    page.get_by_label("30 minutes").check()
    page.get_by_label("Regularisation").check()
    page.get_by_label("Easy").check()
    page.get_by_role("button", name="Start interview").click()
    page.wait_for_url("**/interview/*/")
    return Interview.objects.get()


def _first_question_and_its_follow_up(page):
    page.get_by_role("heading", name="Question 1 of 2").wait_for()
    page.get_by_label("Your answer").fill("Units are dropped at random while training.")
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("heading", name="Reference answer").wait_for()
    page.get_by_label("Zeroes units with probability p").check()
    page.get_by_role("button", name="Hard").click()
    page.get_by_role("heading", name="Follow-up to question 1").wait_for()
    assert page.get_by_text("Follow-up:", exact=True).is_visible()
    assert page.get_by_text("switch the model to evaluation").is_visible()
    page.get_by_label("Your answer").fill("Dropout is off at eval time.")
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("heading", name="Reference answer").wait_for()
    page.get_by_role("button", name="Covered it").click()
    page.get_by_role("heading", name="Question 2 of 2").wait_for()


def _check_report(page, interview):
    page.get_by_role("heading", name="Interview report").wait_for()
    assert page.get_by_text("Score: 25%").is_visible()  # 1 of 2, then 0 of 2 key points
    follow_ups = page.locator("[data-follow-ups]")
    assert "Disabled at inference, with rescaling" in follow_ups.inner_text()
    assert "Covered" in follow_ups.inner_text()
    assert page.locator("[data-steps]").get_by_text("Time is up").count() == 1
    study = page.locator(".study-next")
    assert "weight decay" in study.inner_text()
    assert page.get_by_role("button", name="Practise these").is_visible()
    second = InterviewStep.objects.get(interview=interview, position=1)
    assert second.auto_revealed and second.overtime_seconds > 0
    assert Answer.objects.filter(session=interview.session).count() == 2


def test_a_short_interview_with_a_follow_up_and_an_auto_reveal(page, learner, bank):
    login_in_browser(page, learner)
    interview = _start(page)
    settle(page)
    # The second question gets a short budget, so the test need not wait 4½ minutes.
    InterviewStep.objects.filter(interview=interview, position=1).update(budget_seconds=3)
    _first_question_and_its_follow_up(page)
    settle(page)
    timer = page.locator("[data-countdown][data-auto-reveal]")
    assert timer.inner_text() in ("0:03 left on this one", "0:02 left on this one")
    page.get_by_label("Your answer").fill("Decay is applied to the weights directly.")

    # At zero the page sends the answer; the server reveals it with "Time is up".
    page.get_by_role("heading", name="Reference answer").wait_for(timeout=10_000)
    assert page.get_by_text("Time is up: here is the reference answer.").is_visible()
    assert page.get_by_text("Decay is applied to the weights directly.").is_visible()
    overtime = "document.querySelector('[data-overtime]').textContent"
    page.wait_for_function(f"() => /time is up, 0:0[1-9] over/.test({overtime})")
    screenshot(page, "interview-time-is-up")
    page.get_by_role("button", name="Again").click()

    _check_report(page, interview)
    screenshot(page, "interview-report")


def test_the_same_interview_without_javascript(_browser, live_server, learner, bank):
    context = _browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    login_in_browser(page, learner)
    interview = _start(page)
    # Without the script the clock is the time left when the page loaded: 4:30 at first.
    clocks = page.locator(".interview-clocks").inner_text()
    assert "4:30 left on this one" in clocks or "4:29 left on this one" in clocks
    assert "30:00 in all" in clocks or "29:59 in all" in clocks
    _first_question_and_its_follow_up(page)
    # The learner wandered off for five minutes; the server's clock kept running.
    second = InterviewStep.objects.get(interview=interview, position=1)
    second.shown_at -= timedelta(minutes=5)
    second.save()

    page.reload()

    assert page.get_by_text("Time is up: here is the reference answer.").is_visible()
    assert "over" in page.locator("[data-overtime]").inner_text()
    page.get_by_role("button", name="Again").click()
    _check_report(page, interview)
    context.close()
