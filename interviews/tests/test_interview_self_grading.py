"""Issue #17's self-grading inside a mock interview: the card's suggestions, a calculation's
check and the confidence, through the practice card's shared partials, and the report's
confidence against results."""

import random

import pytest
from django.urls import reverse

from interviews import services
from quizzes.models import Answer, FollowUp, Grade, Kind, PracticeSession, SessionItem
from quizzes.numbers import BAD_NUMBER
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _interview(user, topic):
    return services.start_interview(
        user=user, minutes=30, level="medium", topics=[topic], rng=random.Random(1)
    )


def _post(client, name, interview, data, **extra):
    return client.post(reverse(name, args=[interview.pk]), data, **extra)


@pytest.fixture
def calculation():
    return QuestionFactory(
        topic=TopicFactory(),
        kind=Kind.CALCULATION,
        prompt="Memory of a 7B model trained with Adam in mixed precision, in GB?",
        expected=112,
        unit="GB",
        tolerance=0.05,
        key_points=["16 bytes per parameter", "7e9 x 16 bytes = 112 GB"],
    )


def test_a_calculation_is_checked_and_the_confidence_reaches_the_report(
    learner_client, learner, calculation
):
    interview = _interview(learner, calculation.topic)
    step = services.current_step(interview)
    card = learner_client.get(interview.get_absolute_url())
    assert "Your number" in card.text and 'class="unit">GB<' in card.text
    assert "How sure are you?" in card.text

    bad = _post(
        learner_client,
        "interview_reveal",
        interview,
        {"position": 0, "step": step.pk, "typed_answer": "about a lot", "confidence": "sure"},
        **HTMX,
    )
    assert bad.status_code == 400
    assert BAD_NUMBER in bad.text
    step.refresh_from_db()
    assert step.revealed_at is None

    revealed = _post(
        learner_client,
        "interview_reveal",
        interview,
        {"position": 0, "step": step.pk, "typed_answer": "112000 MB", "confidence": "sure"},
        **HTMX,
    )
    assert revealed.status_code == 200
    assert "Correct: 112 GB." in revealed.text and "Worked solution" in revealed.text
    item = SessionItem.objects.get(session=interview.session)
    assert item.confidence == "sure"
    # Practice's session remembers it for the next question, as in practice.
    assert PracticeSession.objects.get(pk=interview.session_id).confidence == "sure"

    _post(
        learner_client,
        "interview_grade",
        interview,
        {"position": 0, "step": step.pk, "grade": Grade.GOOD},
    )
    answer = Answer.objects.get(session=interview.session)
    assert (answer.confidence, answer.number_correct) == ("sure", True)

    report = learner_client.get(reverse("interview_report", args=[interview.pk]))
    assert '<td class="col-wide">Sure</td>' in report.text
    assert "Sure: recalled 1 of 1" in report.text
    assert "not recorded" not in report.text


def test_a_wrong_number_says_what_was_expected_and_suggests_again(
    learner_client, learner, calculation
):
    interview = _interview(learner, calculation.topic)
    step = services.current_step(interview)

    card = _post(
        learner_client,
        "interview_reveal",
        interview,
        {"position": 0, "step": step.pk, "typed_answer": "56"},
        **HTMX,
    )

    assert "Expected 112 GB, you said 56 GB." in card.text
    again = f'value="{Grade.AGAIN}" class="button grade grade-again suggested"'
    assert again in card.text


def test_suggested_key_points_are_pre_ticked_on_the_interview_card(learner_client, learner):
    question = QuestionFactory(
        prompt="What does dropout do at test time?",
        key_points=["Dropout is disabled at test time", "Activations are scaled by 1/(1-p)"],
    )
    first, second = question.key_points.all()
    second.aliases = "inverted dropout"
    second.save()
    interview = _interview(learner, question.topic)
    step = services.current_step(interview)

    card = _post(
        learner_client,
        "interview_reveal",
        interview,
        {"position": 0, "step": step.pk, "typed_answer": "It uses inverted dropout."},
        **HTMX,
    )

    assert f'value="{second.pk}" checked data-suggested-point' in card.text
    assert f'value="{first.pk}">' in card.text
    assert "(1 of 2)" in card.text


def test_a_follow_up_asks_no_confidence_and_no_number(learner_client, learner, calculation):
    FollowUp.objects.create(question=calculation, prompt="Why 16 bytes?", answer="Adam's state.")
    interview = _interview(learner, calculation.topic)
    step = services.current_step(interview)
    data = {"position": 0, "step": step.pk, "typed_answer": "112"}
    _post(learner_client, "interview_reveal", interview, data)
    _post(learner_client, "interview_grade", interview, {**data, "grade": Grade.GOOD})

    card = learner_client.get(interview.get_absolute_url())

    assert "Why 16 bytes?" in card.text
    assert "How sure are you?" not in card.text and "Your number" not in card.text


def test_a_report_without_confidence_says_there_is_nothing_to_compare(
    learner_client, learner, calculation
):
    interview = _interview(learner, calculation.topic)
    step = services.current_step(interview)
    data = {"position": 0, "step": step.pk, "typed_answer": "112"}
    _post(learner_client, "interview_reveal", interview, data)
    _post(learner_client, "interview_grade", interview, {**data, "grade": Grade.GOOD})

    report = learner_client.get(reverse("interview_report", args=[interview.pk]))

    assert "nothing to compare with your results" in report.text
