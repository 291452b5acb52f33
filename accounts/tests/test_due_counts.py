"""One rule for "due": a card of a published, unsuspended question whose due time has come.
The dashboard's "Due now", the practice page's per-topic counts and the library's Due
filter all count it; cards due later today are the dashboard's "more later today"."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.stats import build_dashboard
from quizzes.library import services as library
from quizzes.models import Card, Mode, PracticeSession, Status
from quizzes.scheduling import local_day, local_midnight
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)  # 12:00 in London


def _card(user, *, due, topic=None, status=Status.PUBLISHED):
    question = QuestionFactory(status=status, **({"topic": topic} if topic else {}))
    Card.objects.create(
        user=user, question=question, state=2, stability=5.0, difficulty=5, due=due,
        last_review=due - timedelta(days=5), reviews=1,
    )  # fmt: skip
    return question


@pytest.fixture
def profile(learner):
    return Profile.objects.create(user=learner, time_zone="Europe/London")


def test_due_now_and_later_today_split_the_forecasts_today(learner, profile):
    _card(learner, due=NOON - timedelta(days=3))  # overdue
    _card(learner, due=NOON - timedelta(hours=1))
    _card(learner, due=NOON)  # due this very moment
    _card(learner, due=NOON + timedelta(hours=2))
    _card(learner, due=NOON + timedelta(hours=11, minutes=59))  # 23:59 in London
    _card(learner, due=NOON + timedelta(hours=12))  # midnight in London: tomorrow

    dashboard = build_dashboard(user=learner, profile=profile, now=NOON)

    assert (dashboard.due_now, dashboard.due_later_today) == (3, 2)
    assert dashboard.due_today == dashboard.forecast[0]["count"] == 5
    assert dashboard.forecast[1]["count"] == 1


def test_cached_figures_still_say_what_is_due_now_later_in_the_day(learner, profile):
    _card(learner, due=NOON - timedelta(hours=1))
    _card(learner, due=NOON + timedelta(hours=2))
    _card(learner, due=NOON + timedelta(hours=5))
    assert build_dashboard(user=learner, profile=profile, now=NOON).due_now == 1

    later = NOON + timedelta(hours=3)
    with CaptureQueriesContext(connection) as queries:
        dashboard = build_dashboard(user=learner, profile=profile, now=later)

    assert not [q for q in queries.captured_queries if '"quizzes_card"' in q["sql"]]
    assert (dashboard.due_now, dashboard.due_later_today, dashboard.due_today) == (2, 1, 3)


def _has_practised(user):
    # Cards come from answers: without a session the dashboard shows its welcome instead.
    PracticeSession.objects.create(user=user, mode=Mode.NEW, size=1, finished_at=timezone.now())


def _dashboard_due_now(client) -> tuple[int, int]:
    html = client.get(reverse("dashboard")).content.decode()
    found = re.search(
        r'<span class="stat-value">(\d+)</span><span class="stat-label">Due now'
        r"(?: \((\d+) more later today\))?</span>",
        html,
    )
    assert found, "the dashboard shows Due now"
    return int(found[1]), int(found[2] or 0)


def test_the_dashboard_the_practice_page_and_the_library_agree(learner_client, learner):
    Profile.objects.create(user=learner, time_zone="Europe/London")
    _has_practised(learner)
    now = timezone.now()
    zone = Profile.objects.get(user=learner).zone
    midnight = local_midnight(local_day(now, zone) + timedelta(days=1), zone)
    topics = TopicFactory.create_batch(2)
    for topic in topics:
        _card(learner, due=now - timedelta(days=2), topic=topic)
        _card(learner, due=now - timedelta(minutes=5), topic=topic)
    # Due later today (half way to the learner's midnight), tomorrow, suspended, retired.
    _card(learner, due=now + (midnight - now) / 2, topic=topics[0])
    _card(learner, due=midnight + timedelta(hours=1), topic=topics[0])
    suspended = _card(learner, due=now - timedelta(hours=1), topic=topics[1])
    library.mark_question(user=learner, question=suspended, suspended=True)
    _card(learner, due=now - timedelta(hours=1), topic=topics[1], status=Status.RETIRED)

    due_now, later_today = _dashboard_due_now(learner_client)
    practice = learner_client.get(reverse("practice_start")).context["topics"]
    practice_due = sum(count["due"] for _, count in practice)
    library_due = (
        learner_client.get(reverse("library"), {"mine": "due"}).context["page"].paginator.count
    )

    assert due_now == practice_due == library_due == 4
    assert later_today == 1


def test_no_later_today_when_nothing_else_falls_due_today(learner_client, learner):
    _has_practised(learner)
    _card(learner, due=timezone.now() - timedelta(hours=1))
    assert _dashboard_due_now(learner_client) == (1, 0)
    assert "more later today" not in learner_client.get(reverse("dashboard")).content.decode()
