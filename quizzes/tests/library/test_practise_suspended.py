"""A suspended question stays out of every mode, "Practise now" included."""

import pytest

from quizzes.library import services as library_services
from quizzes.models import PracticeSession
from quizzes.tests.library.helpers import question_url

pytestmark = pytest.mark.django_db


def test_practise_now_refuses_a_suspended_question(learner_client, learner, bank):
    question = bank["adam"]
    library_services.mark_question(user=learner, question=question, suspended=True)
    page = learner_client.get(question_url(question)).content.decode()
    assert "Practise now" not in page and "left out of every practice mode" in page

    response = learner_client.post(question_url(question, "practise_question"), follow=True)
    assert response.redirect_chain[-1][0] == question_url(question)
    assert "Unsuspend it to practise it." in response.content.decode()
    assert not PracticeSession.objects.filter(user=learner).exists()

    library_services.mark_question(user=learner, question=question, suspended=False)
    response = learner_client.post(question_url(question, "practise_question"))
    assert PracticeSession.objects.filter(user=learner).count() == 1
    assert response["Location"] == PracticeSession.objects.get(user=learner).get_absolute_url()
