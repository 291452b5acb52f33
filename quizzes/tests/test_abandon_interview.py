"""A mock interview's session is not abandoned from the practice pages: the interview ends
on its own card, which scores it."""

import random

import pytest
from django.urls import reverse

from interviews import services as interviews
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_abandoning_a_running_interviews_session_goes_to_the_interview(learner_client, learner):
    QuestionFactory.create_batch(5)
    interview = interviews.start_interview(
        user=learner, minutes=30, level="medium", rng=random.Random(1)
    )
    url = reverse("practice_abandon", args=[interview.session.pk])

    for response in (learner_client.get(url), learner_client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == reverse("interview_detail", args=[interview.pk])

    interview.session.refresh_from_db()
    assert interview.session.abandoned_at is None
