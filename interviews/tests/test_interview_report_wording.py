"""The interview report says only what is true: an empty interview, and its start time."""

import random
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from interviews import services
from interviews.models import Interview
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_an_interview_with_nothing_answered_claims_nothing(learner_client, learner, settings):
    settings.TIME_ZONE = "UTC"
    QuestionFactory.create_batch(5)
    interview = services.start_interview(
        user=learner, minutes=30, level="medium", rng=random.Random(1)
    )
    services.end_interview(interview=interview)
    Interview.objects.filter(pk=interview.pk).update(
        started_at=datetime(2026, 12, 2, 15, 25, tzinfo=UTC)
    )

    html = learner_client.get(reverse("interview_report", args=[interview.pk])).text

    assert "0 of 5" in html
    assert "every question you answered covered at least half" not in html
    assert "you covered the points interviewers follow up on" not in html
    assert "Nothing to study from this interview: you did not answer a question." in html
    assert "No follow-up was asked: you did not answer a question." in html
    assert "started 2 Dec 2026, 15:25." in html
    assert ".." not in html.split("started", 1)[1].split("</p>", 1)[0]
