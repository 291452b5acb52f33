"""A question's public page, its topic's page, the learner's history and schedule on it, and
its queries."""

import pytest
from django.urls import reverse

from accounts.services import get_profile
from quizzes.library import services as library_services
from quizzes.models import UserQuestion
from quizzes.tests.factories import AnswerFactory
from quizzes.tests.library.helpers import grade_in_library, question_url

pytestmark = pytest.mark.django_db


def test_question_page_queries(learner_client, learner, bank, django_assert_max_num_queries):
    for grade in (1, 3):
        grade_in_library(learner, bank["adam"], grade)
    library_services.mark_question(user=learner, question=bank["adam"], note="mine")
    get_profile(learner)  # made on first use otherwise (three more queries, once)
    # Session, user, question with topic, key points, profile, card, marks, history.
    with django_assert_max_num_queries(8):
        response = learner_client.get(question_url(bank["adam"]))
    assert response.status_code == 200


def test_question_page_for_a_visitor(client, bank):
    response = client.get(question_url(bank["adam"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Why does Adam need bias correction?" in html
    assert "<summary" in html and "Show answer" in html
    assert "Moments start at zero" in html
    assert 'itemtype="https://schema.org/Question"' in html
    assert '<link rel="canonical" href="http://testserver/questions/optimisation/adam-bias' in html
    assert '<meta name="description" content="Optimisation interview question' in html
    assert "Your history" not in html and "Save note" not in html
    assert reverse("signup") in html


def test_drafts_and_wrong_topics_are_404(client, learner_client, bank):
    assert client.get(question_url(bank["draft"])).status_code == 404
    assert learner_client.get(question_url(bank["draft"])).status_code == 404
    wrong = reverse("library_question", args=["optimisation", bank["rms"].key])
    assert client.get(wrong).status_code == 404
    assert client.get(reverse("library_topic", args=["no-such-topic"])).status_code == 404
    url = question_url(bank["draft"], "bookmark")
    assert learner_client.post(url, {"bookmarked": "1"}).status_code == 404


def test_topic_page_is_public_with_its_own_title(client, bank):
    html = client.get(reverse("library_topic", args=["normalisation"])).content.decode()
    assert "<h1>Normalisation</h1>" in html and "2 questions" in html
    assert "<title>Normalisation — interview questions · PrepSite</title>" in html
    assert 'itemtype="https://schema.org/Quiz"' in html
    assert "GroupNorm" not in html


def test_question_page_shows_the_learners_history_and_schedule(learner_client, learner, bank):
    grade_in_library(learner, bank["adam"], 1, typed="Because of zeros")
    grade_in_library(learner, bank["adam"], 3)
    html = learner_client.get(question_url(bank["adam"])).content.decode()
    assert "Your history" in html
    assert "Because of zeros" in html
    assert "Again" in html and "Good" in html
    assert "Next review in" in html
    assert "Chance you recall it now" in html


def test_the_history_says_how_long_each_answer_took_as_the_interview_budgets_do(
    learner_client, learner, bank
):
    # quizzes.durations.seconds_in_words: "4 min 49 s", and "2 min" rather than "2 min 0 s".
    for reveal, grade in ((280, 9), (100, 20)):
        AnswerFactory(
            session__user=learner,
            question=bank["adam"],
            seconds_to_reveal=reveal,
            seconds_to_grade=grade,
        )
    html = learner_client.get(question_url(bank["adam"])).content.decode()
    assert '<td class="col-wide">4 min 49 s</td>' in html
    assert '<td class="col-wide">2 min</td>' in html


def test_personal_actions_need_an_account(client, bank):
    for suffix in ("bookmark", "suspend", "note", "reset", "practise_question"):
        response = client.post(question_url(bank["adam"], suffix), {})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not UserQuestion.objects.exists()
