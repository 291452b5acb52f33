"""(a) Every POST without a CSRF token, or with a wrong one, is refused with 403 and changes
nothing, as a form and as htmx; with a token the same POST gets past the check (so the 403 is
the token's doing). The admin too."""

import pytest
from django.urls import resolve, reverse

from prepsite.tests.security.routes import (
    CSRF_CHECKED,
    CSRF_EXEMPT,
    CSRF_SECRET,
    ENDPOINTS,
    HTMX,
    KNOWN_POSTS,
    PLACEHOLDERS,
    PLAUSIBLE,
    POSTS,
    arguments,
    assert_refused_for_csrf,
    csrf_refusals,
    logged_in,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("endpoint", CSRF_CHECKED, ids=str)
def test_post_without_csrf_token_is_403_and_changes_nothing(world, endpoint, htmx, caplog):
    url = endpoint.url(arguments(world))
    client = logged_in(world["a"], enforce_csrf=True)
    before = snapshot(world)

    response = client.post(url, PLAUSIBLE.get(endpoint.name, {}), **(HTMX if htmx else {}))

    assert_refused_for_csrf(response, caplog)
    assert snapshot(world) == before
    assert client.session.get("_auth_user_id") == str(world["a"].pk), "logged out by a bad POST"


@pytest.mark.parametrize("endpoint", CSRF_CHECKED, ids=str)
def test_post_with_a_wrong_csrf_token_is_403(world, endpoint, caplog):
    client = logged_in(world["a"], enforce_csrf=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    data = {**PLAUSIBLE.get(endpoint.name, {}), "csrfmiddlewaretoken": "w" * 32}
    response = client.post(endpoint.url(arguments(world)), data)
    assert_refused_for_csrf(response, caplog)
    assert "incorrect" in csrf_refusals(caplog)[0]


@pytest.mark.parametrize("how", ["form field", "htmx header"])
@pytest.mark.parametrize("endpoint", POSTS, ids=str)
def test_post_with_csrf_token_gets_past_the_check(world, endpoint, how, caplog):
    """The control: the same POST with the token is not refused, so the 403 above is CSRF's."""
    client = logged_in(world["a"], enforce_csrf=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    data = dict(PLAUSIBLE.get(endpoint.name, {}))
    extra = {}
    if how == "form field":
        data["csrfmiddlewaretoken"] = CSRF_SECRET
    else:
        extra = {**HTMX, "HTTP_X_CSRFTOKEN": CSRF_SECRET}
    response = client.post(endpoint.url(arguments(world)), data, **extra)
    assert csrf_refusals(caplog) == []
    assert response.status_code not in (403, 405), endpoint.route


def test_only_the_one_click_unsubscribe_skips_the_csrf_check():
    exempt = {
        e.name
        for e in ENDPOINTS
        if getattr(resolve(e.url(PLACEHOLDERS)).func, "csrf_exempt", False)
    }
    assert exempt == CSRF_EXEMPT


def test_the_walk_found_every_form():
    """Every known form is a route the tests above cover; new ones join them by themselves."""
    found = {e.name for e in ENDPOINTS}
    assert found >= KNOWN_POSTS
    assert len(ENDPOINTS) >= 20


def test_admin_post_without_csrf_token_is_403(editor, caplog):
    client = logged_in(editor, enforce_csrf=True)
    url = reverse("admin:quizzes_question_add")
    response = client.post(url, {"key": "sneaky", "prompt": "?", "answer": "!"})
    assert_refused_for_csrf(response, caplog)
    assert client.get(url).status_code == 200
