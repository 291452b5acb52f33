"""Layout in a real browser, on a 390 × 844 phone and a desktop: report tables keep their key
columns on screen (secondary ones are .col-wide, hidden on a phone), controls that sit side by
side keep a gap, and read-only fields span their card."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import checked_page, login_in_browser, settle
from interviews import services as interviews
from quizzes.models import Difficulty, FollowUp, Grade
from quizzes.tests.factories import AnswerFactory, QuestionFactory, TopicFactory
from quizzes.tests.library.helpers import question_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def screen(request, _browser, live_server):
    """A page at each size; console errors fail the test, as with conftest's `page`."""
    yield from checked_page(_browser, live_server, viewport=request.param)


def test_the_home_pages_sample_keeps_a_gap_between_sign_up_and_the_library_link(screen):
    QuestionFactory(difficulty=Difficulty.EASY)
    screen.goto("/")
    settle(screen)
    screen.locator("details summary").first.click()
    button = screen.locator("details").get_by_role("link", name="Sign up — it is free")
    link = screen.get_by_role("link", name="See this question in the library")
    first, second = button.bounding_box(), link.bounding_box()

    side_by_side = second["y"] < first["y"] + first["height"]
    if side_by_side:
        assert second["x"] - (first["x"] + first["width"]) >= 8
    else:
        assert second["y"] - (first["y"] + first["height"]) >= 8


def test_the_calendar_address_spans_its_card(screen, learner):
    login_in_browser(screen, learner)
    screen.goto("/accounts/profile/")
    settle(screen)
    field = screen.locator("input.calendar-url")
    card = screen.locator("section", has=field)
    inner = card.evaluate(
        "el => el.clientWidth - parseFloat(getComputedStyle(el).paddingLeft)"
        " - parseFloat(getComputedStyle(el).paddingRight)"
    )

    assert field.bounding_box()["width"] >= inner - 1
    assert field.evaluate("el => el.readOnly")


LONG = (
    "A run uses linear warm-up from 0 to a peak learning rate of 3e-4 over the first 2,000 "
    "steps, then cosine decay to 3e-5 at step 100,000. What is the learning rate at step 51,000?"
)
# Each table's columns a phone keeps; the rest are .col-wide.
KEY_COLUMNS = {
    "[data-topics]": ["Topic", "Key points covered", "Share"],
    "[data-steps]": ["#", "Question", "Result"],
}
SECONDARY = {"[data-topics]": ["Questions"], "[data-steps]": ["Time", "Budget", "Overtime"]}


def _finished_interview(user):
    """Three questions in topics with long names, the last with a follow-up answered late."""
    topics = [
        TopicFactory(name="Reasoning, in-context learning and hallucination"),
        TopicFactory(name="Uncertainty, robustness and interpretability"),
        TopicFactory(name="Hyperparameter search"),
    ]
    questions = [QuestionFactory(topic=topic, prompt=LONG) for topic in topics]
    for question in questions:
        FollowUp.objects.create(question=question, after_missing=3, prompt=LONG, answer="3e-5.")
    now = timezone.now() - timedelta(hours=1)
    interview = interviews.start_interview(
        user=user, minutes=30, level="medium", rng=random.Random(1), now=now
    )
    while step := interviews.current_step(interview):
        now += timedelta(seconds=200)
        interviews.reveal(interview=interview, step=step, typed_answer="Some words", now=now)
        now += timedelta(seconds=150)
        if step.is_follow_up:
            interviews.answer_follow_up(interview=interview, step=step, covered=True, now=now)
        else:
            points = list(step.item.question.key_points.values_list("pk", flat=True))
            interviews.grade_question(
                interview=interview,
                step=step,
                grade=Grade.HARD,
                key_point_ids=points[:1],
                now=now,
            )
        interview.refresh_from_db()
        if interview.is_finished:
            break
    interviews.end_interview(interview=interview, now=now)
    return interview, questions[0]


def _cut_off(page, table: str) -> list[str]:
    """The table's shown cells whose right edge is past its scrolling card's: hidden unless
    the reader scrolls the table sideways."""
    return page.locator(table).evaluate(
        """table => {
            const edge = table.closest('.table-wrap').getBoundingClientRect().right;
            return [...table.querySelectorAll('th, td')]
                .filter(cell => cell.offsetParent && cell.getBoundingClientRect().right > edge + 1)
                .map(cell => cell.textContent.trim().slice(0, 30));
        }"""
    )


def _shown_headers(page, table: str) -> list[str]:
    headers = page.locator(f"{table} thead th")
    return [
        headers.nth(i).inner_text() for i in range(headers.count()) if headers.nth(i).is_visible()
    ]


def test_report_and_history_tables_keep_their_key_columns_on_screen(screen, learner):
    interview, question = _finished_interview(learner)
    AnswerFactory(session__user=learner, question=question, typed_answer="Long words " * 20)
    login_in_browser(screen, learner)
    screen.goto(f"/interview/{interview.pk}/report/")
    settle(screen)
    phone = screen.viewport_size["width"] == PHONE["width"]

    for table, key in KEY_COLUMNS.items():
        assert _cut_off(screen, table) == [], table
        shown = _shown_headers(screen, table)
        assert all(name in shown for name in key), (table, shown)
        assert phone != all(name in shown for name in SECONDARY[table]), (table, shown)
    question_cell = screen.locator("[data-steps] tbody tr td:nth-child(2)").first
    assert question_cell.bounding_box()["width"] >= (180 if phone else 300)
    if phone:
        # The overtime column is hidden: the result says it.
        assert "s over" in screen.locator("[data-steps] tbody").inner_text()

    screen.goto(question_url(question))
    settle(screen)
    history = "table:has(caption:text('Every time you answered'))"
    assert _cut_off(screen, history) == []
    shown = _shown_headers(screen, history)
    assert [name for name in shown if name not in ("Session", "Time")] == [
        "Date",
        "Grade",
        "Key points",
        "Your answer",
    ]
    assert phone != ("Session" in shown and "Time" in shown)
    # The row's own page, the session, is a link on the date on every screen.
    assert screen.locator(f"{history} tbody td:first-child a").count() == 2
