"""A session's duration in words, written once (quizzes.durations): its summary, the
dashboard's Sessions table and that table's CSV say the same, a mock interview's by its own
clock."""

import csv
import io
import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from interviews import services as interviews
from interviews.models import Interview
from quizzes.durations import minutes_in_words, seconds_in_words
from quizzes.models import Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "under a minute"),
        (59, "under a minute"),
        (60, "1 min"),
        (89, "1 min"),
        (90, "2 min"),
        (150, "3 min"),  # half a minute rounds up, not to the even minute
        (12 * 60, "12 min"),
        (3600, "1 h"),
        (3600 + 5 * 60 + 10, "1 h 5 min"),
    ],
)
def test_minutes_in_words(seconds, words):
    assert minutes_in_words(timedelta(seconds=seconds)) == words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 s"), (45, "45 s"), (120, "2 min"), (289, "4 min 49 s"), (3601, "60 min 1 s")],
)
def test_seconds_in_words(seconds, words):
    assert seconds_in_words(seconds) == words


def _finished_session(user, seconds: int) -> PracticeSession:
    session = PracticeSession.objects.create(
        user=user, mode=Mode.RANDOM, size=2, answered=2, recalled=2
    )
    # started_at is auto_now_add: set both afterwards.
    started = timezone.now() - timedelta(hours=1)
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=started, finished_at=started + timedelta(seconds=seconds)
    )
    return session


def _csv(client) -> list[dict]:
    text = client.get(reverse("session_history_csv")).content.decode()
    return list(csv.DictReader(io.StringIO(text)))


def _table_duration(html: str) -> str:
    # The dashboard's one row of history: its duration cell is the only one of its kind.
    cell = html.split('<td class="num col-wide">')[-1]
    return cell.split("</td>")[0]


@pytest.mark.parametrize(
    ("seconds", "words", "minutes"),
    [(40, "under a minute", "0.7"), (95, "2 min", "1.6"), (12 * 60, "12 min", "12.0")],
)
def test_the_summary_the_table_and_the_csv_agree_on_a_sessions_duration(
    learner_client, learner, seconds, words, minutes
):
    Profile.objects.create(user=learner)
    session = _finished_session(learner, seconds)

    summary = learner_client.get(session.get_absolute_url()).content.decode()
    dashboard = learner_client.get(reverse("dashboard")).content.decode()

    assert f'<span class="stat-value">{words}</span><span class="stat-label">Time spent' in summary
    assert _table_duration(dashboard) == words
    assert _csv(learner_client)[0]["duration_minutes"] == minutes


def test_an_interview_lasts_from_its_start_to_its_end_not_its_sessions(learner_client, learner):
    """Its session finishes when the last question is graded; that question's follow-ups
    kept the interview going for minutes after."""
    Profile.objects.create(user=learner)
    QuestionFactory.create_batch(3)
    started = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    interview = interviews.start_interview(
        user=learner, minutes=15, level="medium", rng=random.Random(1), now=started
    )
    PracticeSession.objects.filter(pk=interview.session_id).update(
        started_at=started, finished_at=started + timedelta(seconds=40)
    )
    Interview.objects.filter(pk=interview.pk).update(finished_at=started + timedelta(minutes=5))

    dashboard = learner_client.get(reverse("dashboard")).content.decode()
    summary = learner_client.get(interview.session.get_absolute_url()).content.decode()
    row = _csv(learner_client)[0]

    assert _table_duration(dashboard) == "5 min"
    assert '<span class="stat-value">5 min</span>' in summary
    assert row["duration_minutes"] == "5.0"
    ended = timezone.localtime(started + timedelta(minutes=5)).isoformat(timespec="minutes")
    assert row["finished"] == ended


def test_an_interview_whose_session_finished_is_in_progress_until_the_interview_ends(
    learner_client, learner
):
    Profile.objects.create(user=learner)
    QuestionFactory.create_batch(3)
    interview = interviews.start_interview(user=learner, minutes=15, level="medium")
    PracticeSession.objects.filter(pk=interview.session_id).update(finished_at=timezone.now())

    dashboard = learner_client.get(reverse("dashboard")).content.decode()
    row = _csv(learner_client)[0]

    assert _table_duration(dashboard) == "–"
    assert (row["finished"], row["duration_minutes"]) == ("in progress", "")
