"""The dashboard's answered count says how many sessions are finished, truthfully."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Grade, Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _answer(user, questions, *, answered):
    session = services.start_session(
        user=user, mode=Mode.RANDOM, size=len(questions), question_ids=[q.pk for q in questions]
    ).session
    for item in session.items.order_by("position")[:answered]:
        services.reveal(item=item, typed_answer="")
        services.record_grade(session=session, item=item, grade=Grade.GOOD, key_point_ids=[])
    return session


def test_answers_in_an_unfinished_session_do_not_claim_zero_sessions(learner_client, learner):
    questions = QuestionFactory.create_batch(3)
    _answer(learner, questions, answered=2)  # two of three: not finished
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "in 0 sessions" not in html
    assert "Questions answered, no session finished yet" in html


def test_finished_sessions_are_counted_as_finished(learner_client, learner):
    questions = QuestionFactory.create_batch(2)
    _answer(learner, questions, answered=2)
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "Questions answered, 1 finished session<" in html
