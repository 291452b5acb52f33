"""Reporting a problem with a question, and practising the questions a session missed."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Mode, PracticeSession, Report

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, session, *args):
    return reverse(name, args=[session.pk, *args])


def test_report_a_problem(learner_client, learner, session):
    url = _url("practice_report", session, 0)
    page = learner_client.get(url)
    assert page.status_code == 200
    assert 'name="reason" value=""' not in page.content.decode()  # no "--- Select ---" radio
    assert 'name="reason" value="wrong"' in page.content.decode()
    bad = learner_client.post(url, {"reason": "nonsense"})
    assert bad.status_code == 400
    response = learner_client.post(url, {"reason": "wrong", "note": "The sign is flipped."})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.user == learner and report.question == session.items.get(position=0).question


def test_the_report_page_of_a_question_not_reached_yet_redirects_like_review(
    learner_client, session
):
    unreached = session.items.get(position=1).question
    for view in ("practice_report", "practice_review_question"):
        response = learner_client.get(_url(view, session, 1))
        assert response.status_code == 302
        assert response["Location"] == session.get_absolute_url()
    posted = learner_client.post(_url("practice_report", session, 2), {"reason": "wrong"})
    assert posted["Location"] == session.get_absolute_url()
    assert not Report.objects.exists()
    assert (
        unreached.prompt
        not in learner_client.get(_url("practice_report", session, 1)).content.decode()
    )


def test_a_finished_session_can_report_any_of_its_questions(learner_client, session):
    for position in range(3):
        learner_client.post(_url("practice_grade", session), {"position": position, "grade": 3})
    assert learner_client.get(_url("practice_report", session, 2)).status_code == 200


def test_reports_are_limited_per_learner_per_hour(learner_client, learner, session, other_learner):
    url = _url("practice_report", session, 0)
    for _ in range(10):
        assert learner_client.post(url, {"reason": "wrong"}).status_code == 302
    refused = learner_client.post(url, {"reason": "wrong"})
    assert refused.status_code == 429
    assert "sent a lot of reports in the last hour" in refused.content.decode()
    assert refused.content.decode().count("<h1") == 1
    fragment = learner_client.post(url, {"reason": "wrong"}, **HTMX)
    assert fragment.status_code == 429
    assert "<html" not in fragment.content.decode()
    assert Report.objects.filter(user=learner).count() == 10
    # Another learner's limit is their own.
    learner_client.force_login(other_learner)
    other = services.start_session(user=other_learner, mode=Mode.NEW, size=1).session
    assert (
        learner_client.post(_url("practice_report", other, 0), {"reason": "wrong"}).status_code
        == 302
    )


def test_practice_missed_starts_session_of_again_questions(learner_client, session, learner):
    for position, grade in enumerate([1, 3, 1]):
        learner_client.post(_url("practice_grade", session), {"position": position, "grade": grade})
    response = learner_client.post(_url("practice_missed", session))
    new = PracticeSession.objects.exclude(pk=session.pk).get()
    assert response["Location"] == new.get_absolute_url()
    assert new.mode == Mode.MISSED and new.size == 2


def test_practice_missed_with_nothing_missed_says_so_and_starts_nothing(learner_client, session):
    for position in range(3):
        learner_client.post(_url("practice_grade", session), {"position": position, "grade": 3})
    response = learner_client.post(_url("practice_missed", session), follow=True)
    assert response.redirect_chain == [(session.get_absolute_url(), 302)]
    assert "There are no missed questions in that session." in response.text
    assert PracticeSession.objects.get() == session
