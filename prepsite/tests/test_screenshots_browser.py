"""The README's gallery, taken from PrepSite's real question bank (`make screenshots`).

The other browser tests use factory questions ("What is question 91 about?"); these scenes
load the shipped bank (quizzes/data/bank/) as `make run` does, and walk through what a new
learner sees: the empty dashboard, a card, its revealed answer, the summary and the dashboard,
and the card on a phone (light, then revealed in the dark scheme). Each scene also checks that
it shows what it claims to, so the gallery cannot silently drift.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import login_in_browser, screenshot, settle
from prepsite.tests.test_polish_browser import PHONE, _phone_screenshot
from quizzes import services
from quizzes.models import Grade, Mode, PracticeSession, Question, SessionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC = "Optimisation"


@pytest.fixture
def shipped_bank(db):
    call_command("load_question_bank", verbosity=0)
    assert Question.objects.published().count() >= 100
    # The gallery shows recall cards (typed answer, key points); a session of new questions
    # would otherwise open on the topic's easiest calculation.
    Question.objects.filter(topic__name=TOPIC, kind="calculation").update(status="draft")
    return Question.objects.published().filter(topic__name=TOPIC)


def _history(user, questions):
    """Finished sessions over the past weeks on real questions, so the charts draw."""
    ids = list(questions.values_list("pk", flat=True)[:4])
    grades = [Grade.GOOD, Grade.AGAIN, Grade.EASY, Grade.HARD, Grade.GOOD]
    for weeks_ago in range(6, 0, -1):
        start = timezone.now() - timedelta(weeks=weeks_ago, hours=2)
        session = services.start_session(
            user=user, mode=Mode.RANDOM, size=3, question_ids=ids, now=start
        ).session
        PracticeSession.objects.filter(pk=session.pk).update(started_at=start)
        for position, item in enumerate(session.items.order_by("position")):
            services.record_grade(
                session=session,
                item=item,
                grade=grades[(weeks_ago + position) % len(grades)],
                key_point_ids=list(item.question.key_points.values_list("pk", flat=True)[:2]),
                now=start + timedelta(minutes=2 * (position + 1)),
            )


def _start(page, size="5"):
    page.goto("/practice/")
    # The label goes on with the learner's counts: "Optimisation (12 new · 0 due)".
    page.get_by_label(re.compile(rf"^{re.escape(TOPIC)}\s*\(")).check()
    page.get_by_label("Number of questions").select_option(size)
    page.get_by_label("New questions", exact=True).check()
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url("**/practice/*/")
    settle(page)
    return PracticeSession.objects.latest("started_at")


def _current_question(session) -> Question:
    session.refresh_from_db()
    return SessionItem.objects.get(session=session, position=session.answered).question


def test_gallery_from_the_shipped_bank(page, learner, shipped_bank):
    login_in_browser(page, learner)
    page.wait_for_url("**/dashboard/")
    assert page.get_by_text("Your first session starts here").is_visible()
    screenshot(page, "dashboard-empty")

    session = _start(page)
    grades = ["Good", "Hard", "Good", "Again", "Easy"]
    for number, grade in enumerate(grades, start=1):
        page.get_by_role("heading", name=f"Question {number} of 5").wait_for()
        settle(page)
        question = _current_question(session)
        assert question.topic.name == TOPIC
        assert question.key.startswith("optimisation-")  # a shipped question, not a factory's
        if number == 1:
            screenshot(page, "practice-card")
        # What a learner who half knows it might type: the question's first key point.
        typed = question.key_points.order_by("order", "id").first().text
        page.get_by_label("Your answer").fill(typed)
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("heading", name="Reference answer").wait_for()
        settle(page)
        if number == 1:
            boxes = page.get_by_role("checkbox")
            assert boxes.count() == question.key_points.count() >= 3
            boxes.nth(0).check()
            boxes.nth(1).check()
            screenshot(page, "practice-revealed")
        page.get_by_role("button", name=grade).click()
    page.get_by_role("heading", name="Session complete").wait_for()
    settle(page)
    assert page.get_by_text("Score: 80%").is_visible()
    screenshot(page, "summary")

    _history(learner, shipped_bank)
    page.get_by_role("link", name="Back to dashboard").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    settle(page)
    assert page.locator("svg polyline.line").count() == 1
    screenshot(page, "dashboard")


def test_phone_gallery_from_the_shipped_bank(_browser, live_server, learner, shipped_bank):
    context = _browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        login_in_browser(phone, learner)
        phone.wait_for_url("**/dashboard/")
        session = _start(phone)
        assert _current_question(session).key.startswith("optimisation-")
        _phone_screenshot(phone, "practice-phone")
        phone.get_by_role("button", name="Show answer").click()
        phone.get_by_role("heading", name="Reference answer").wait_for()
        settle(phone)
        phone.emulate_media(color_scheme="dark")
        assert phone.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        _phone_screenshot(phone, "practice-revealed-phone-dark")
    finally:
        context.close()
    assert not errors, f"browser console errors: {errors}"
