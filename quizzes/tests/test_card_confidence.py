"""The revealed card says how sure the learner said they were, beside the suggested grade
("You said you were: Sure · Suggested: Hard", PRODUCT.md), on practice and interview cards."""

import random

import pytest
from django.urls import reverse

from interviews import services as interviews
from quizzes import services
from quizzes.models import Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SAID = "You said you were: <strong data-said-confidence>{}</strong> · Suggested: <strong"


def _revealed(client, learner, confidence: str, **question) -> str:
    QuestionFactory(**question)
    session = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    response = client.post(
        reverse("practice_reveal", args=[session.pk]),
        {"position": 0, "typed_answer": "", "confidence": confidence},
        **HTMX,
    )
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(("confidence", "label"), [("sure", "Sure"), ("guessing", "Guessing")])
def test_the_confidence_given_stands_beside_the_suggested_grade(
    learner_client, learner, confidence, label
):
    html = _revealed(learner_client, learner, confidence)

    assert SAID.format(label) + " data-suggested" in html
    assert "(0 of 3)" in html


def test_no_confidence_given_says_nothing_of_it(learner_client, learner):
    html = _revealed(learner_client, learner, "")

    assert "Suggested: <strong data-suggested" in html
    assert "You said you were" not in html


def test_a_question_without_key_points_still_says_it(learner_client, learner):
    html = _revealed(learner_client, learner, "unsure", key_points=0)

    assert SAID.format("Unsure") + ">Good</strong>" in html


def test_the_interview_card_says_it_too(learner_client, learner):
    QuestionFactory.create_batch(2)
    interview = interviews.start_interview(
        user=learner, minutes=30, level="medium", rng=random.Random(1)
    )
    step = interviews.current_step(interview)
    interviews.reveal(interview=interview, step=step, typed_answer="", confidence="sure")

    html = learner_client.get(interview.get_absolute_url()).text

    assert SAID.format("Sure") in html
