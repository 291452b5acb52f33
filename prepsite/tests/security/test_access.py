"""(c) Every route that takes a learner's session, interview or position answers 404 to
another learner (and to unknown ids), and shows nothing of the owner's."""

import uuid

import pytest
from django.urls import reverse

from accounts.models import Profile
from prepsite.tests.security.routes import (
    HTMX,
    OWNED,
    PLAUSIBLE,
    arguments,
    logged_in,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("endpoint", OWNED, ids=str)
def test_another_learners_session_is_404_everywhere(world, endpoint, htmx):
    url = endpoint.url(arguments(world))
    extra = HTMX if htmx else {}
    intruder = logged_in(world["b"], enforce_csrf=False)
    owner = logged_in(world["a"], enforce_csrf=False)
    before = snapshot(world)
    for method in ("get", "post"):
        theirs = getattr(intruder, method)(url, PLAUSIBLE.get(endpoint.name, {}), **extra)
        assert snapshot(world) == before
        # The owner second: their POST may change things.
        own = getattr(owner, method)(url, PLAUSIBLE.get(endpoint.name, {}), **extra)
        if own.status_code == 405:
            assert theirs.status_code == 405
        else:
            assert own.status_code != 404, f"the owner gets 404 on {method} {endpoint.route}"
            assert theirs.status_code == 404, f"{method} {endpoint.route} for another learner"
            assert b"Ada L." not in theirs.content and b"A first try" not in theirs.content


@pytest.mark.parametrize("endpoint", OWNED, ids=str)
def test_unknown_ids_and_positions_are_404(world, endpoint):
    client = logged_in(world["a"], enforce_csrf=False)
    unknown = {**arguments(world), "session_id": uuid.uuid4(), "interview_id": uuid.uuid4()}
    assert client.get(endpoint.url(unknown)).status_code in (404, 405)
    if "position" in endpoint.kwargs:
        beyond = {**arguments(world), "position": 999}
        assert client.get(endpoint.url(beyond)).status_code == 404


def test_the_access_matrix_covers_the_practice_routes():
    assert {e.name for e in OWNED} >= {
        "practice_session",
        "practice_reveal",
        "practice_grade",
        "practice_missed",
        "practice_abandon",
        "practice_review_question",
        "practice_report",
    }


def test_profile_and_export_show_only_the_learners_own(world):
    intruder = logged_in(world["b"], enforce_csrf=False)
    profile = intruder.get(reverse("profile")).content.decode()
    assert "grace@example.com" in profile and "ada@example.com" not in profile
    assert "Ada L." not in profile
    # The profile form has no id to point at someone else: it saves the sender's own.
    data = {**PLAUSIBLE["profile"], "user": world["a"].pk, "id": world["a"].profile.pk}
    assert intruder.post(reverse("profile"), data).status_code == 302
    assert Profile.objects.get(user=world["a"]).display_name == "Ada L."
    assert Profile.objects.get(user=world["b"]).display_name == "Changed"
    exported = intruder.get(reverse("export_data")).content.decode()
    assert str(world["session"].pk) not in exported and "A first try" not in exported


def test_editors_reports_page_is_closed_to_learners(world):
    client = logged_in(world["b"], enforce_csrf=False)
    response = client.get(reverse("admin:quizzes_report_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
