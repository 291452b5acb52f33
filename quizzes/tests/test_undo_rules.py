"""Which grades "Undo last grade" may take back: not a mock interview's, ended or running;
a finished practice session's last grade, from its summary, still."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from interviews import services as interviews
from interviews.models import Interview
from quizzes import services
from quizzes.models import Answer, FollowUp, Grade, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory
from quizzes.undo import UNDO_INTERVIEW

pytestmark = pytest.mark.django_db


def _interview_with_one_grade(learner) -> Interview:
    """An interview whose first question was graded Good."""
    interview = interviews.start_interview(
        user=learner, minutes=30, level="medium", rng=random.Random(1)
    )
    step = interviews.current_step(interview)
    interviews.reveal(interview=interview, step=step, typed_answer="Something")
    assert interviews.grade_question(
        interview=interview, step=step, grade=Grade.GOOD, key_point_ids=[]
    )
    return interview


def test_an_ended_interviews_last_grade_cannot_be_undone(learner_client, learner):
    QuestionFactory.create_batch(5)
    interview = _interview_with_one_grade(learner)
    assert interviews.end_interview(interview=interview)
    interview.refresh_from_db()
    session = PracticeSession.objects.get(pk=interview.session_id)
    assert session.is_finished and session.last_answer_id

    # Dashboard → Sessions → View opens the session's summary: no undo offered there.
    summary = learner_client.get(session.get_absolute_url())
    assert summary.status_code == 200
    assert "Undo last grade" not in summary.text

    # Posted anyway: refused with the reason, on the summary, and nothing changes.
    response = learner_client.post(reverse("practice_undo", args=[session.pk]), follow=True)
    assert response.redirect_chain == [(session.get_absolute_url(), 302)]
    assert "grades cannot be undone" in response.text
    assert "Your last grade was undone" not in response.text
    assert Answer.objects.filter(session=session).count() == 1
    session.refresh_from_db()
    assert session.is_finished and session.answered == 1
    ended = Interview.objects.get(pk=interview.pk)
    assert (ended.finished_at, ended.score_percent) == (
        interview.finished_at,
        interview.score_percent,
    )


def test_the_service_refuses_an_interviews_grade_while_its_follow_ups_run(learner):
    # One question with a follow-up: its grade finishes the session while the interview
    # still asks the follow-up, so the session's summary would offer the undo.
    question = QuestionFactory(key_points=["First", "Second"])
    FollowUp.objects.create(question=question, after_missing=None, prompt="Why?", answer="Ref.")
    interview = _interview_with_one_grade(learner)
    session = PracticeSession.objects.get(pk=interview.session_id)
    assert session.is_finished and not Interview.objects.get(pk=interview.pk).is_finished

    with pytest.raises(ValidationError, match="grades cannot be undone") as raised:
        services.undo_last_grade(session=session)

    assert raised.value.messages == [UNDO_INTERVIEW]
    assert Answer.objects.filter(session=session).count() == 1


def test_a_finished_practice_sessions_last_grade_is_still_undone_from_its_summary(
    learner_client, learner
):
    QuestionFactory.create_batch(2)
    session = services.start_session(user=learner, mode=Mode.NEW, size=2).session
    for position in range(2):
        session.refresh_from_db()
        item = session.items.get(position=position)
        services.reveal(item=item, typed_answer="")
        services.record_grade(session=session, item=item, grade=Grade.GOOD, key_point_ids=[])

    assert "Undo last grade" in learner_client.get(session.get_absolute_url()).text
    response = learner_client.post(reverse("practice_undo", args=[session.pk]), follow=True)

    assert "Your last grade was undone" in response.text and "Question 2 of 2" in response.text
    assert Answer.objects.filter(session=session).count() == 1


def test_a_running_interviews_session_page_sends_to_the_interview(learner_client, learner):
    # Its session finished with the last question's grade, but its follow-up is still to
    # answer: the session's address shows the interview, not a summary (with an undo).
    question = QuestionFactory(key_points=["First", "Second"])
    FollowUp.objects.create(question=question, after_missing=None, prompt="Why?", answer="Ref.")
    interview = _interview_with_one_grade(learner)

    response = learner_client.get(reverse("practice_session", args=[interview.session_id]))

    assert response.status_code == 302 and response.url == interview.get_absolute_url()
    assert "Follow-up" in learner_client.get(response.url).text
