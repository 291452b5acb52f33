"""The dashboard's due counts count what practice brings back (never a suspended question),
and its cached figures follow every change to the schedule that is not a new answer:
suspend, unsuspend, reset and undo (issue #15)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Profile
from accounts.stats import build_dashboard
from quizzes import services
from quizzes.library import services as library
from quizzes.models import Card, Grade, Mode
from quizzes.tests.factories import QuestionFactory
from reminders.feed import review_calendar

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def profile(learner):
    return Profile.objects.create(user=learner, time_zone="Europe/London")


def _due_card(learner, *, due=NOW - timedelta(hours=1)):
    question = QuestionFactory()
    Card.objects.create(
        user=learner, question=question, state=2, stability=5.0, difficulty=5, due=due,
        last_review=due - timedelta(days=5), reviews=1,
    )  # fmt: skip
    return question


def _due_today(learner, profile) -> int:
    return build_dashboard(user=learner, profile=profile, now=NOW).due_today


def test_suspended_questions_are_not_due_on_the_dashboard_or_the_calendar(learner, profile):
    _due_card(learner)
    suspended = _due_card(learner)
    later = _due_card(learner, due=NOW + timedelta(days=3))
    library.mark_question(user=learner, question=suspended, suspended=True)
    library.mark_question(user=learner, question=later, suspended=True)

    dashboard = build_dashboard(user=learner, profile=profile, now=NOW)

    assert dashboard.due_today == 1
    assert dashboard.forecast[3]["count"] == 0
    feed = review_calendar(learner, now=NOW).decode()
    assert "1 review due" in feed and "2 reviews due" not in feed


def test_suspend_unsuspend_and_reset_refresh_the_cached_dashboard(
    learner, profile, django_capture_on_commit_callbacks
):
    question = _due_card(learner)
    _due_card(learner)
    assert _due_today(learner, profile) == 2  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        library.mark_question(user=learner, question=question, suspended=True)
    assert _due_today(learner, profile) == 1

    with django_capture_on_commit_callbacks(execute=True):
        library.mark_question(user=learner, question=question, suspended=False)
    assert _due_today(learner, profile) == 2

    with django_capture_on_commit_callbacks(execute=True):
        library.reset_question(user=learner, question=question)
    assert _due_today(learner, profile) == 1


def test_undo_refreshes_the_cached_dashboard(learner, profile, django_capture_on_commit_callbacks):
    """Again keeps a new question due today, Easy sends it days away: after grading Again
    and undoing it, an Easy grade has the same count of answers, so only the undo's call
    to schedule_changed tells the cache apart."""
    question = QuestionFactory()
    session = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=1, question_ids=[question.pk], now=NOW
    ).session

    def grade(value):
        session.refresh_from_db()
        services.record_grade(
            session=session, item=session.items.get(), grade=value, key_point_ids=[], now=NOW
        )

    grade(Grade.AGAIN)
    assert _due_today(learner, profile) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.undo_last_grade(session=session)
    grade(Grade.EASY)
    assert Card.objects.get(question=question).due > NOW + timedelta(days=1)
    assert _due_today(learner, profile) == 0
