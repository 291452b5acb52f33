"""Past interviews on the dashboard, with the trend of their scores."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.stats import build_dashboard
from interviews import services
from interviews.dashboard import interview_card
from interviews.models import AUTO_END_MARGIN, Interview
from quizzes import services as services_quizzes
from quizzes.models import Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _finished(user, *, score: int, days_ago: int) -> Interview:
    interview = services.start_interview(
        user=user, minutes=30, level="medium", rng=random.Random(days_ago)
    )
    started = timezone.now() - timedelta(days=days_ago)
    Interview.objects.filter(pk=interview.pk).update(
        started_at=started, finished_at=started + timedelta(minutes=30), score_percent=score
    )
    return interview


def test_the_card_lists_interviews_newest_first_and_the_trend_oldest_first(learner):
    QuestionFactory.create_batch(5)
    for days_ago, score in ((4, 40), (3, 70), (2, 55), (1, 85)):
        _finished(learner, score=score, days_ago=days_ago)
    running = services.start_interview(user=learner, minutes=45, level="hard")

    card = interview_card(user=learner, zone=timezone.get_default_timezone())

    assert [row["score"] for row in card["rows"]] == ["In progress", "85%", "55%", "70%", "40%"]
    assert card["rows"][0]["url"] == running.get_absolute_url()
    assert card["rows"][0]["action"] == "Resume"
    assert card["rows"][1]["action"] == "Report"
    assert [(p["score"], p["average"]) for p in card["points"]] == [
        (40, 40),
        (70, 55),
        (55, 55),
        (85, 70),
    ]
    assert card["chart"] is not None


def test_an_overdue_interview_ends_itself_when_the_dashboard_looks(learner):
    QuestionFactory.create_batch(5)
    interview = services.start_interview(user=learner, minutes=30, level="medium")
    ago = timedelta(hours=2)
    Interview.objects.filter(pk=interview.pk).update(
        started_at=interview.started_at - ago, deadline=interview.deadline - ago
    )

    card = interview_card(user=learner, zone=timezone.get_default_timezone())

    interview.refresh_from_db()
    assert interview.ended_automatically
    assert card["rows"][0]["action"] == "Report"


def test_overdue_is_one_rule_in_python_and_in_sql(learner):
    QuestionFactory.create_batch(5)
    interview = services.start_interview(user=learner, minutes=30, level="medium")
    edge = interview.ends_itself_at
    assert edge == interview.deadline + AUTO_END_MARGIN
    for now, overdue in ((edge, False), (edge + timedelta(microseconds=1), True)):
        assert interview.is_overdue(now) is overdue
        assert Interview.objects.overdue(now).filter(pk=interview.pk).exists() is overdue
    interview.finished_at = edge
    assert not interview.is_overdue(edge + timedelta(days=1))


def test_the_dashboard_shows_the_card(learner_client, learner):
    Profile.objects.create(user=learner)
    QuestionFactory.create_batch(5)
    empty = learner_client.get(reverse("dashboard"))
    assert "Try a mock interview" in empty.text
    _finished(learner, score=62, days_ago=1)

    page = learner_client.get(reverse("dashboard"))

    assert "Mock interviews" in page.text
    assert "62%" in page.text and 'aria-labelledby="interviews-title"' in page.text


def test_score_over_time_plots_practice_sessions_and_leaves_interviews_to_their_card(learner):
    QuestionFactory.create_batch(5)
    practice = services_quizzes.start_session(user=learner, mode=Mode.RANDOM, size=4).session
    interview = _finished(learner, score=40, days_ago=1)
    now = timezone.now()
    # The practice session: 1 of 4 recalled. The interview's session: 4 of 4 recalled,
    # which is not its score (40%).
    PracticeSession.objects.filter(pk=practice.pk).update(answered=4, recalled=1, finished_at=now)
    PracticeSession.objects.filter(pk=interview.session_id).update(
        answered=4, recalled=4, finished_at=now - timedelta(days=1)
    )
    profile = Profile.objects.create(user=learner)

    dashboard = build_dashboard(user=learner, profile=profile)

    assert [point["score"] for point in dashboard.score_points] == [25]
