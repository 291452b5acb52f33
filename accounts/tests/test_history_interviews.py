"""Mock interviews in the dashboard's Sessions table and its CSV: shown as interviews, with
the score of their report (the share of key points), linking to the report."""

import csv
import io
import random
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.history import HistoryRow, session_history
from accounts.models import Profile
from interviews import services as interviews
from interviews.models import AUTO_END_MARGIN, Interview
from interviews.scoring import build_report
from quizzes import services as practice
from quizzes.models import Grade, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _interview_recalled_without_key_points(user) -> Interview:
    """Every question graded Good with no key point ticked: 100% recalled, 0% of the
    key points, as the tester saw it."""
    QuestionFactory.create_batch(3)
    interview = interviews.start_interview(
        user=user, minutes=15, level="medium", rng=random.Random(1)
    )
    while step := interviews.current_step(interview):
        interviews.reveal(interview=interview, step=step, typed_answer="something")
        interviews.grade_question(
            interview=interview, step=step, grade=Grade.GOOD, key_point_ids=[]
        )
        interview.refresh_from_db()
        if interview.is_finished:
            break
    interviews.end_interview(interview=interview)
    interview.refresh_from_db()
    return interview


def _csv_rows(client) -> list[dict]:
    text = client.get(reverse("session_history_csv")).content.decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_a_finished_interview_shows_its_report_score_and_links_to_the_report(
    learner_client, learner
):
    interview = _interview_recalled_without_key_points(learner)
    session = interview.session
    session.refresh_from_db()
    assert session.score_percent == 100  # what the table used to show
    assert build_report(interview).score == interview.score_percent == 0

    row = HistoryRow.of(session_history(learner).get(), UTC).table_cells()

    assert row["kind"] == "Mock interview"
    assert row["score"] == "0%"
    assert row["url"] == reverse("interview_report", args=[interview.pk])
    assert row["action"] == "View"
    assert row["abandon_url"] is None
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert f'href="{row["url"]}">View<span class="visually-hidden"> mock interview of' in html
    assert f'href="{session.get_absolute_url()}"' not in html
    assert '<td class="col-wide">Mock interview</td>' in html


def test_an_interview_in_progress_resumes_on_its_own_page_and_cannot_be_abandoned_here(
    learner_client, learner
):
    QuestionFactory.create_batch(3)
    interview = interviews.start_interview(user=learner, minutes=15, level="medium")

    row = HistoryRow.of(session_history(learner).get(), UTC).table_cells()

    assert row["score"] == f"In progress (0 of {interview.session.size})"
    assert (row["url"], row["action"]) == (interview.get_absolute_url(), "Resume")
    assert row["abandon_url"] is None


def test_an_interview_left_past_its_time_is_shown_ended_on_the_dashboard(learner_client, learner):
    QuestionFactory.create_batch(3)
    interview = interviews.start_interview(user=learner, minutes=15, level="medium")
    ago = timedelta(minutes=15) + AUTO_END_MARGIN + timedelta(minutes=1)
    Interview.objects.filter(pk=interview.pk).update(
        started_at=interview.started_at - ago, deadline=interview.deadline - ago
    )

    html = learner_client.get(reverse("dashboard")).content.decode()

    assert "In progress" not in html
    assert reverse("interview_report", args=[interview.pk]) in html


def test_practice_sessions_keep_their_recall_score_kind_and_link(learner_client, learner):
    PracticeSession.objects.create(
        user=learner, mode=Mode.RANDOM, size=4, answered=4, recalled=3, finished_at=timezone.now()
    )

    row = HistoryRow.of(session_history(learner).get(), UTC).table_cells()

    assert (row["kind"], row["score"], row["action"]) == ("Random", "75%", "View")
    assert row["url"] == session_history(learner).get().get_absolute_url()


def test_the_csv_gives_the_interview_its_report_score(learner_client, learner):
    interview = _interview_recalled_without_key_points(learner)
    PracticeSession.objects.create(
        user=learner, mode=Mode.RANDOM, size=4, answered=4, recalled=3, finished_at=timezone.now()
    )

    rows = _csv_rows(learner_client)

    by_mode = {row["mode"]: row for row in rows}
    assert by_mode["Mock interview"]["score_percent"] == str(interview.score_percent) == "0"
    assert by_mode["Random"]["score_percent"] == "75"


def test_an_interview_without_key_points_has_no_score_in_the_table_or_the_csv(
    learner_client, learner
):
    QuestionFactory.create_batch(2, key_points=0)
    interview = interviews.start_interview(user=learner, minutes=15, level="medium")
    interviews.end_interview(interview=interview)

    row = HistoryRow.of(session_history(learner).get(), UTC).table_cells()

    assert row["score"] == "–"
    assert _csv_rows(learner_client)[0]["score_percent"] == ""


def test_the_history_reads_interviews_in_the_same_query(
    learner_client, learner, django_assert_max_num_queries
):
    Profile.objects.create(user=learner)
    QuestionFactory.create_batch(3)
    for seed in range(12):
        interview = interviews.start_interview(
            user=learner, minutes=15, level="medium", rng=random.Random(seed)
        )
        interviews.end_interview(interview=interview)
        practice.start_session(user=learner, mode=Mode.RANDOM, size=2)
    # session, user, profile, the count and the page of sessions with their interviews,
    # their topics
    with django_assert_max_num_queries(6):
        fragment = learner_client.get(reverse("dashboard") + "?page=2", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().count("mock interview of") == 5
    # session, user, profile, the sessions with their interviews, their topics
    with django_assert_max_num_queries(5):
        assert len(_csv_rows(learner_client)) == 24
