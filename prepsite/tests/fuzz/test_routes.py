"""Junk forms, query strings and CSRF tokens into every route, as the learner and as a
stranger, and near-valid practice requests that get past the first check: never a 500."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import PASSWORD, UserFactory
from prepsite.tests.fuzz.strategies import (
    EDGE_NUMBERS,
    FUZZ,
    HTMX,
    check,
    huge_text,
    number_text,
    odd_text,
    requests_for,
    scalar,
)
from prepsite.tests.fuzz.world import ENDPOINTS
from quizzes.models import SessionItem

pytestmark = pytest.mark.django_db


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_junk_posts_to_every_route(world, clients, data):
    endpoint, url, body = data.draw(requests_for(world))
    htmx = data.draw(st.booleans())
    client = clients.learner_client()
    response = client.post(url, body, **(HTMX if htmx else {}))
    check(response, f"POST {url} {body!r:.300}")


PRACTICE = [e for e in ENDPOINTS if e.name.startswith("practice")]


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_near_valid_practice_requests(world, clients, data):
    """Close to what the card sends, so the fuzz gets past the first check into the loop."""
    session = world.current_session()
    item = SessionItem.objects.filter(session=session, position=session.answered).first()
    key_points = list(item.question.key_points.values_list("pk", flat=True)) if item else []
    endpoint = data.draw(st.sampled_from(PRACTICE))
    position = data.draw(
        st.one_of(
            st.just(session.answered),
            st.integers(-2, 8),
            number_text,
            st.sampled_from(EDGE_NUMBERS),
            st.lists(st.integers(0, 5), max_size=3),
        )
    )
    body = {
        "position": position,
        "grade": data.draw(st.one_of(st.integers(-1, 6), number_text, st.lists(number_text))),
        "key_points": data.draw(
            st.lists(
                st.one_of(st.sampled_from(key_points or [1]), st.integers(-5, 10**6), odd_text),
                max_size=5,
            )
        ),
        "typed_answer": data.draw(st.one_of(odd_text, huge_text)),
        "reason": data.draw(st.one_of(st.sampled_from(["wrong", "unclear", "other"]), scalar)),
        "note": data.draw(st.one_of(odd_text, huge_text)),
        "size": data.draw(st.one_of(st.sampled_from([5, 10, 20]), number_text)),
        "mode": data.draw(st.one_of(st.sampled_from(["due", "new", "weakest", "random"]), scalar)),
        "topics": data.draw(
            st.lists(st.one_of(st.integers(-1, 50), number_text, odd_text), max_size=3)
        ),
        "timer_seconds": data.draw(st.one_of(st.sampled_from(["", 60, 300]), number_text)),
    }
    dropped = data.draw(st.sets(st.sampled_from(sorted(body)), max_size=len(body)))
    body = {key: val for key, val in body.items() if key not in dropped}
    own = data.draw(st.sampled_from([True, True, True, False]))
    values = world.arguments(own=own)
    values["position"] = data.draw(st.one_of(st.just(values["position"]), st.integers(0, 8)))
    url = endpoint.url(values)
    htmx = data.draw(st.booleans())
    client = clients.learner_client()
    method = data.draw(st.sampled_from(["post", "post", "post", "get"]))
    response = getattr(client, method)(url, body, **(HTMX if htmx else {}))
    check(response, f"{method} {url} {body!r:.300}")


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_junk_query_strings(world, clients, data):
    """GET and HEAD with junk parameters (?page=, ?next=, ...) as the learner or anonymous."""
    endpoint, url, params = data.draw(requests_for(world))
    if data.draw(st.booleans()):
        params["next"] = data.draw(
            st.one_of(odd_text, st.sampled_from(["//evil.example", "https://evil.example/"]))
        )
    params["page"] = data.draw(st.one_of(number_text, odd_text))
    params = {
        key: val for key, val in params.items() if not isinstance(val, str) or len(val) < 4000
    }
    anonymous = data.draw(st.booleans())
    client = clients.anonymous() if anonymous else clients.learner_client()
    method = data.draw(st.sampled_from(["get", "head"]))
    htmx = data.draw(st.booleans())
    response = getattr(client, method)(url, params, **(HTMX if htmx else {}))
    check(response, f"{method} {url} {params!r:.300}")
    if response.status_code in (301, 302):
        location = response["Location"]
        assert not location.startswith(("//", "http://evil", "https://evil")), location


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_missing_or_stale_csrf_tokens(world, clients, data):
    # The one-click unsubscribe takes no CSRF token by design (RFC 8058; security/test_csrf.py).
    checked = [e for e in ENDPOINTS if e.name != "unsubscribe"]
    endpoint, url, body = data.draw(requests_for(world, checked))
    client = clients.learner_client(enforce_csrf=True)
    token = data.draw(
        st.one_of(
            st.none(),  # missing
            st.just("stale" * 6 + "ab"),  # 32 characters, but not the cookie's
            st.from_regex(r"[A-Za-z0-9]{64}", fullmatch=True),  # a masked token of no cookie
            odd_text,
        )
    )
    if data.draw(st.booleans()):
        client.cookies["csrftoken"] = "c" * 32
    extra = dict(HTMX) if data.draw(st.booleans()) else {}
    if token is not None:
        if extra:
            extra["HTTP_X_CSRFTOKEN"] = token.encode("utf-8", "replace").decode("latin-1")
        else:
            body["csrfmiddlewaretoken"] = token
    response = client.post(url, body, **extra)
    check(response, f"POST {url} token={token!r}")
    assert response.status_code == 403, f"{url} took a POST with token {token!r}"


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_anonymous_junk(world, clients, data):
    """The public forms (sign-up, log-in, reset) take the most junk from strangers."""
    public = [e for e in ENDPOINTS if e.name in ("signup", "login", "password_reset", "logout")]
    public += [e for e in ENDPOINTS if "uidb64" in e.kwargs]
    endpoint, url, body = data.draw(requests_for(world, public))
    client = clients.anonymous()
    response = client.post(url, body, **(HTMX if data.draw(st.booleans()) else {}))
    check(response, f"anonymous POST {url} {body!r:.300}")


def test_the_fuzz_found_the_forms(world):
    """The field discovery found the practice and account forms, so the fuzz reaches them."""
    for name, expected in {
        "practice_start": {"size", "mode", "topics", "timer_seconds"},
        "practice_reveal": {"position", "typed_answer"},
        "practice_grade": {"position", "grade", "key_points"},
        "practice_report": {"reason", "note"},
        "login": {"username", "password"},
        "signup": {"username", "email", "password1", "password2"},
        "profile": {"display_name", "email", "time_zone", "daily_goal"},
        "delete_account": {"password"},
    }.items():
        assert expected <= world.fields.get(name, set()), name
    assert UserFactory._meta.model.objects.get(username="ada").check_password(PASSWORD)
