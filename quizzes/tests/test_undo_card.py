"""The card an undo shows again: ticked as the learner ticked it in the grade undone (not
reset to the suggestion), with what they typed; re-graded, the matcher's suggestion is
still what is kept beside the learner's choice."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer, Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TYPED = "It uses inverted dropout."


@pytest.fixture
def graded(learner_client, learner):
    """A question of three points, revealed with an answer the matcher ties to the second
    point, and graded Hard ticking the first and third instead."""
    question = QuestionFactory(
        prompt="What does dropout do at test time?",
        key_points=[
            "Dropout is disabled at test time",
            "Activations are scaled by 1/(1-p)",
            "The expected activation is unchanged",
        ],
    )
    first, second, third = question.key_points.all()
    second.aliases = "inverted dropout"
    second.save()
    later = QuestionFactory()  # a second question, so the grade does not finish the session
    session = services.start_session(
        user=learner, mode=Mode.LIBRARY, size=2, question_ids=[question.pk, later.pk]
    ).session
    learner_client.post(
        reverse("practice_reveal", args=[session.pk]),
        {"position": 0, "typed_answer": TYPED, "confidence": "unsure"},
    )
    learner_client.post(
        reverse("practice_grade", args=[session.pk]),
        {"position": 0, "grade": 2, "key_points": [first.pk, third.pk]},
    )
    answer = Answer.objects.get(session=session)
    assert (answer.key_points_ticked, answer.key_points_suggested) == (
        [first.pk, third.pk],
        [second.pk],
    )
    return session, (first, second, third)


def _assert_ticked_as_before(html, points):
    first, second, third = points
    assert f'value="{first.pk}" checked>' in html
    assert f'value="{second.pk}" data-suggested-point>' in html  # suggested, not ticked
    assert f'value="{third.pk}" checked>' in html
    assert "Ticked as in the grade you undid" in html
    assert "(2 of 3)" in html
    assert 'grade-hard suggested"' in html  # the suggestion follows the ticks: 2 of 3
    assert f'<p class="typed-answer">{TYPED}</p>' in html


def test_undo_with_htmx_shows_the_card_ticked_as_graded(learner_client, graded):
    session, points = graded

    response = learner_client.post(reverse("practice_undo", args=[session.pk]), **HTMX)

    assert response.status_code == 200
    assert "Your last grade was undone" in response.text
    _assert_ticked_as_before(response.text, points)


def test_undo_without_javascript_carries_the_ticks_to_the_card_once(learner_client, graded):
    session, points = graded

    response = learner_client.post(reverse("practice_undo", args=[session.pk]), follow=True)

    assert response.redirect_chain == [(session.get_absolute_url(), 302)]
    _assert_ticked_as_before(response.text, points)
    # Carried once: a reload shows the suggestion again, as any revealed card does.
    again = learner_client.get(session.get_absolute_url()).text
    assert f'value="{points[1].pk}" checked data-suggested-point>' in again
    assert "Ticked as in the grade you undid" not in again


def test_the_ticks_wait_only_for_their_own_card(learner_client, learner, graded):
    session, points = graded
    learner_client.post(reverse("practice_undo", args=[session.pk]))
    QuestionFactory()
    other = services.start_session(user=learner, mode=Mode.RANDOM, size=1).session

    page = learner_client.get(other.get_absolute_url()).text

    assert "Ticked as in the grade you undid" not in page
    assert "quizzes.undone_ticks" not in learner_client.session


def test_the_grade_given_again_keeps_the_matchers_suggestion_beside_the_new_ticks(
    learner_client, graded
):
    session, (first, second, _) = graded
    learner_client.post(reverse("practice_undo", args=[session.pk]), **HTMX)

    learner_client.post(
        reverse("practice_grade", args=[session.pk]),
        {"position": 0, "grade": 3, "key_points": [first.pk]},
    )

    answer = Answer.objects.get(session=session)
    assert (answer.grade, answer.key_points_ticked) == (3, [first.pk])
    assert answer.key_points_suggested == [second.pk]
    assert (answer.typed_answer, answer.confidence) == (TYPED, "unsure")
