"""Abandoning a practice session: with and without JavaScript, and what it leaves."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer, Mode, PracticeSession
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, session, *args):
    return reverse(name, args=[session.pk, *args])


def test_the_card_offers_abandon_as_a_link_and_an_htmx_post(learner_client, session):
    html = learner_client.get(session.get_absolute_url()).text
    url = _url("practice_abandon", session)
    assert f'href="{url}" hx-post="{url}" hx-confirm="Abandon this session?' in html


def test_abandon_asks_for_confirmation_without_javascript(learner_client, session):
    page = learner_client.get(_url("practice_abandon", session))
    assert page.status_code == 200
    assert "<h1>Abandon this session?</h1>" in page.text
    assert f'<form method="post" action="{_url("practice_abandon", session)}">' in page.text
    session.refresh_from_db()
    assert not session.is_abandoned


def test_abandon_post_leaves_in_progress_and_goes_to_the_dashboard(learner_client, session):
    services.reveal(item=session.items.get(position=0), typed_answer="")
    services.record_grade(session=session, item=session.items.get(position=0), grade=3,
                          key_point_ids=[])  # fmt: skip

    response = learner_client.post(_url("practice_abandon", session), follow=True)

    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert "Session abandoned after 1 of 3 questions." in response.text
    assert "Abandoned (1 of 3)" in response.text
    assert "In progress" not in response.text
    session.refresh_from_db()
    assert session.is_abandoned and not session.is_finished
    assert not PracticeSession.objects.finished().exists()
    assert PracticeSession.objects.abandoned().get() == session


def test_abandon_with_htmx_redirects_the_page(learner_client, session):
    response = learner_client.post(_url("practice_abandon", session), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("dashboard")


def test_an_abandoned_session_shows_what_was_done_without_a_score(learner_client, session):
    services.abandon_session(session=session)

    page = learner_client.get(session.get_absolute_url())

    assert "<h1>Session abandoned</h1>" in page.text
    assert "Score:" not in page.text
    # And nothing more can be answered in it.
    reveal = learner_client.post(_url("practice_reveal", session), {"position": 0}, **HTMX)
    assert reveal["HX-Redirect"] == session.get_absolute_url()
    grade = learner_client.post(_url("practice_grade", session), {"position": 0, "grade": 3})
    assert grade.status_code == 302
    assert not Answer.objects.exists()


def test_abandoning_twice_or_a_finished_session_changes_nothing(learner_client, learner):
    QuestionFactory()
    finished = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    item = finished.items.get()
    services.reveal(item=item, typed_answer="")
    services.record_grade(session=finished, item=item, grade=3, key_point_ids=[])

    response = learner_client.post(_url("practice_abandon", finished), follow=True)

    assert "That session is already over" in response.text
    finished.refresh_from_db()
    assert finished.is_finished and not finished.is_abandoned
    assert services.abandon_session(session=finished) is False


# Not in the test's transaction: a request's grade is the outermost (see record_grade).
@pytest.mark.django_db(transaction=True)
def test_a_grade_racing_an_abandon_is_rolled_back(session):
    stale = PracticeSession.objects.get(pk=session.pk)  # read before the abandon
    services.abandon_session(session=session)
    item = stale.items.get(position=0)

    result = services.record_grade(session=stale, item=item, grade=3, key_point_ids=[])

    assert not result.recorded
    assert not Answer.objects.exists()
    session.refresh_from_db()
    assert (session.answered, session.finished_at) == (0, None)


def test_the_dashboard_offers_abandon_for_unfinished_sessions_only(learner_client, session):
    html = learner_client.get(reverse("dashboard")).text
    assert f'href="{_url("practice_abandon", session)}"' in html
    services.abandon_session(session=session)
    html = learner_client.get(reverse("dashboard")).text
    assert f'href="{_url("practice_abandon", session)}"' not in html
    assert "Abandoned (0 of 3)" in html


def test_the_history_csv_and_the_dashboard_count_no_abandoned_score(learner_client, session):
    services.abandon_session(session=session)
    csv = learner_client.get(reverse("session_history_csv")).content.decode()
    assert ",abandoned,New questions,All topics,3,0,," in csv
    html = learner_client.get(reverse("dashboard")).text
    assert "Abandoned (0 of 3)" in html


def test_abandon_needs_login(client, session):
    response = client.post(_url("practice_abandon", session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    session.refresh_from_db()
    assert not session.is_abandoned


def test_another_learner_cannot_abandon(client, other_learner, session):
    client.force_login(other_learner)
    assert client.post(_url("practice_abandon", session)).status_code == 404
    session.refresh_from_db()
    assert not session.is_abandoned


def test_abandon_enforces_csrf(learner, session):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(_url("practice_abandon", session)).status_code == 403
    session.refresh_from_db()
    assert not session.is_abandoned
