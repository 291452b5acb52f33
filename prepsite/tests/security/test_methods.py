"""(b) Read-only pages answer GET and HEAD only; PUT, PATCH and DELETE on a form change
nothing; only the known forms take a POST."""

import pytest

from prepsite.tests.endpoints import Endpoint
from prepsite.tests.security.routes import (
    ENDPOINTS,
    KNOWN_POSTS,
    PLAUSIBLE,
    POSTS,
    READ_ONLY,
    arguments,
    logged_in,
    snapshot,
)

pytestmark = pytest.mark.django_db


def _accepts_post(world, endpoint: Endpoint) -> bool:
    client = logged_in(world["a"], enforce_csrf=False)
    return client.post(endpoint.url(arguments(world))).status_code != 405


@pytest.mark.parametrize("endpoint", READ_ONLY, ids=str)
def test_put_and_delete_on_read_only_pages_are_405(world, endpoint):
    client = logged_in(world["a"], enforce_csrf=False)
    url = endpoint.url(arguments(world))
    for method in (client.put, client.delete, client.patch):
        response = method(url)
        assert response.status_code == 405, (method.__name__, endpoint.route)
    # Without a token they are stopped by the CSRF check first, which is just as good.
    strict = logged_in(world["a"], enforce_csrf=True)
    assert strict.put(url).status_code == 403


@pytest.mark.parametrize("endpoint", POSTS, ids=str)
def test_put_and_delete_on_forms_change_nothing(world, endpoint):
    """405; or Django's class-based forms treat PUT as a POST with no data (re-rendered form),
    and its log-in and reset views redirect before looking at the method."""
    client = logged_in(world["a"], enforce_csrf=False)
    url = endpoint.url(arguments(world))
    before = snapshot(world)
    for method in (client.put, client.delete, client.patch):
        response = method(url, PLAUSIBLE.get(endpoint.name, {}))
        assert response.status_code in (200, 302, 405), (method.__name__, endpoint.route)
    assert snapshot(world) == before


@pytest.mark.parametrize("endpoint", READ_ONLY, ids=str)
def test_read_only_pages_take_get_and_head_only(world, endpoint):
    client = logged_in(world["a"], enforce_csrf=False)
    url = endpoint.url(arguments(world))
    get = client.get(url)
    assert get.status_code in (200, 302), endpoint.route
    assert client.head(url).status_code == get.status_code
    assert client.post(url).status_code == 405, f"{endpoint.route} takes a POST"
    strict = logged_in(world["a"], enforce_csrf=True)
    assert strict.post(url).status_code == 403


def test_only_known_forms_take_post(world):
    """A route that starts taking POST must be added to KNOWN_POSTS (and so to the checks)."""
    taking_post = {e.name for e in ENDPOINTS if _accepts_post(world, e)}
    assert taking_post == KNOWN_POSTS
