""" "Optimise my schedule" below the fit's minimum of answers: said up front, refused if posted."""

import pytest
from django.urls import reverse

from planner.models import ParameterFit
from planner.optimiser import MIN_REVIEWS
from quizzes.tests.factories import AnswerFactory

pytestmark = pytest.mark.django_db


def test_the_profile_says_how_many_answers_are_needed_and_disables_the_button(
    learner_client, learner
):
    AnswerFactory.create_batch(3, session__user=learner)
    page = learner_client.get(reverse("profile")).content.decode()
    assert f"Optimising needs {MIN_REVIEWS} answers; you have 3 so far." in page
    assert 'disabled aria-describedby="optimise-needs">Optimise my schedule</button>' in page
    assert "You can also fit it now" not in page


def test_a_post_below_the_minimum_is_refused_with_the_count(learner_client, learner):
    AnswerFactory.create_batch(3, session__user=learner)
    response = learner_client.post(reverse("optimise_schedule"))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Optimising needs at least {MIN_REVIEWS} answers and you have 3" in page
    assert not ParameterFit.objects.exists()


def test_the_optimise_page_says_how_many_so_far(learner_client):
    page = learner_client.get(reverse("optimise_schedule")).content.decode()
    assert "You have 0 answers so far." in page
    assert "disabled" in page


def test_counting_stops_at_the_minimum(learner_client, learner, django_assert_max_num_queries):
    from planner.services import reviews_toward_fit

    AnswerFactory.create_batch(2, session__user=learner)
    # One COUNT over a LIMIT.
    with django_assert_max_num_queries(1):
        assert reviews_toward_fit(learner) == 2
