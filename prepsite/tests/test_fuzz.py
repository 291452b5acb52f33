"""Junk into every form and htmx endpoint, found by walking the URLconf: never a 500.

The routes come from the URLconf (admin left out) and the field names from the forms the pages
really render, so new forms are fuzzed without editing this file. Generated requests mix wrong
types, empty and huge strings (up to 100,000 characters), odd Unicode (NUL, RTL marks, emoji),
missing fields, lists where one value is expected, the learner's own ids and positions,
another learner's, random UUIDs and huge numbers, htmx and plain requests, and missing or stale
CSRF tokens. Every response must be below 500, and a 4xx must say something.

About 1,200 examples a run, derandomised under CI; no example database is written.
"""

import os
import uuid
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Profile
from accounts.tests.factories import PASSWORD, UserFactory
from interviews.services import start_interview
from prepsite.tests.endpoints import all_endpoints
from quizzes import services
from quizzes.models import Mode, Question, SessionItem
from quizzes.tests.factories import QuestionFactory, TopicFactory
from reminders.services import get_settings
from reminders.tokens import make_unsubscribe_token

pytestmark = pytest.mark.django_db

ENDPOINTS = all_endpoints()
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/practice/"}

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=bool(os.environ.get("CI")),
)

# Strategies -------------------------------------------------------------------------------

ODD = ["\x00", "\u200f", "\u202e", "\ufeff", "🤖", "👩🏽‍🔬", "ß", "İ", "\r\n", "%00", "' OR 1=1 --"]
odd_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8),  # no surrogates
        st.sampled_from(ODD),
    ),
    max_size=6,
).map("".join)
huge_text = st.builds(
    lambda unit, times: (unit * times)[:100_000],
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8),
    st.integers(min_value=500, max_value=100_000),
)
# Numbers as a form sends them, with the edges that break int() or the database: Unicode
# digits ("²".isdigit() is true, int("²") fails), and ids beyond a 64-bit column.
EDGE_NUMBERS = ["²", "¹⁰", "１２", "٣", str(2**63), str(-(2**63) - 1), "9" * 30, "1e9", "NaN"]
number_text = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "1", "3", "-1", "inf", "0x10", " 2 ", "1.5", *EDGE_NUMBERS]),
    st.sampled_from(EDGE_NUMBERS),
)
scalar = st.one_of(
    st.just(""),
    odd_text,
    number_text,
    st.sampled_from(["due", "new", "weakest", "random", "missed", "wrong", "other", "UTC"]),
    st.sampled_from(["Europe/London", "../../etc/passwd", "2030-01-01", "0000-00-00"]),
)
value = st.one_of(
    scalar,
    st.lists(scalar, max_size=4),  # a list where one value is expected
    huge_text,
)


FIELD_TAGS = ("input", "select", "textarea", "button")


class FormFields(HTMLParser):
    """The names of every field of every form on a page, keyed by the form's action."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.action = None
        self.forms: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or attrs.get("hx-post") or self.page_path
            self.forms.setdefault(self.action, set())
        elif tag in FIELD_TAGS and attrs.get("name") and self.action is not None:
            self.forms[self.action].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.action = None


# The world the requests land in -----------------------------------------------------------

# Field names per route: the same for every test, so the pages are crawled once a run.
DISCOVERED: dict[str, set[str]] = {}


class World:
    """The learner (ada) with sessions in several states, and grace with one of her own."""

    def __init__(self, learner, other):
        self.learner = learner
        self.other = other
        topics = [TopicFactory(name="Optimisation"), TopicFactory(name="Losses")]
        for number in range(8):
            QuestionFactory(topic=topics[number % 2])
        for user in (learner, other):
            Profile.objects.get_or_create(user=user)
        self.finished = self._session(learner, size=3, graded=3)
        self.active = self._session(learner, size=5, graded=1)
        self.theirs = self._session(other, size=3, graded=1)
        self.interview = start_interview(user=learner, minutes=30, level="medium")
        self.their_interview = start_interview(user=other, minutes=30, level="medium")
        if not DISCOVERED:
            DISCOVERED.update(self._discover_fields())
        self.fields = DISCOVERED

    @staticmethod
    def _session(user, *, size, graded, reveal_current=True):
        session = services.start_session(user=user, mode=Mode.RANDOM, size=size).session
        for item in session.items.order_by("position")[:graded]:
            services.reveal(item=item, typed_answer="a try")
            services.record_grade(
                session=session, item=item, grade=1 + item.position % 4, key_point_ids=[]
            )
        current = session.items.filter(position=graded).first()
        if current and reveal_current:
            services.reveal(item=current, typed_answer="")  # so the grade form shows
        session.refresh_from_db()
        return session

    def current_session(self):
        """The learner's session in progress, a new one when fuzzing has finished it."""
        self.active.refresh_from_db()
        if self.active.is_finished:
            self.active = self._session(self.learner, size=5, graded=0)
        return self.active

    def _discover_fields(self) -> dict[str, set[str]]:
        """Field names per route name, from the forms the pages render (to a learner in the
        middle of a session, at its start, and to a stranger)."""
        unrevealed = self._session(self.learner, size=2, graded=0, reveal_current=False)
        urls = [endpoint.url(self.arguments(own=True)) for endpoint in ENDPOINTS]
        urls.append(unrevealed.get_absolute_url())
        fields: dict[str, set[str]] = {}
        for client in (logged_in(self.learner), Client()):
            for url in urls:
                response = client.get(url, follow=True)
                if response.status_code != 200 or "html" not in response["Content-Type"]:
                    continue
                parser = FormFields(response.request["PATH_INFO"])
                parser.feed(response.content.decode())
                for action, names in parser.forms.items():
                    try:
                        name = resolve(urlsplit(action).path).url_name
                    except Resolver404:
                        continue
                    fields.setdefault(name, set()).update(names - {"csrfmiddlewaretoken"})
        return fields

    def arguments(self, *, own: bool) -> dict:
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        session = self.current_session() if own else self.theirs
        question = Question.objects.published().select_related("topic").first()
        return {
            "topic_slug": question.topic.slug,
            "question_key": question.key,
            "session_id": session.pk,
            "interview_id": (self.interview if own else self.their_interview).pk,
            "position": session.answered,
            "uidb64": urlsafe_base64_encode(force_bytes(self.learner.pk)),
            "token": default_token_generator.make_token(self.learner),
            "calendar_token": get_settings(self.learner).calendar_token,
            "unsubscribe_token": make_unsubscribe_token(user_id=self.learner.pk, kind="daily"),
        }


def logged_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf, raise_request_exception=True)
    client.force_login(user)
    return client


class Clients:
    """One client of each kind per test: a new Client loads the middleware again (and
    WhiteNoise rescans the static files), which would cost more than the request."""

    def __init__(self, learner):
        self.learner = learner
        self._plain = Client(raise_request_exception=True)
        self._strict = Client(enforce_csrf_checks=True, raise_request_exception=True)
        self._anonymous = Client(raise_request_exception=True)

    def learner_client(self, *, enforce_csrf: bool = False) -> Client:
        # Logged in afresh each time: an example may have logged out or changed the password.
        client = self._strict if enforce_csrf else self._plain
        client.cookies.clear()
        client.force_login(self.learner)
        return client

    def anonymous(self) -> Client:
        self._anonymous.cookies.clear()
        return self._anonymous


@pytest.fixture
def world(learner, other_learner):
    return World(learner, other_learner)


@pytest.fixture
def clients(learner):
    return Clients(learner)


@st.composite
def requests_for(draw, world: World, endpoints=ENDPOINTS):
    """An endpoint, a URL with real, foreign or junk arguments, and a body of junk."""
    endpoint = draw(st.sampled_from(endpoints))
    whose = draw(st.sampled_from(["own", "own", "other learner's", "random", "junk"]))
    values = world.arguments(own=whose != "other learner's")
    if whose in ("random", "junk"):
        values["session_id"] = uuid.uuid4()
        values["interview_id"] = uuid.uuid4()
        values["uidb64"] = draw(st.from_regex(r"[A-Za-z0-9_\-]{1,20}", fullmatch=True))
        values["token"] = draw(st.from_regex(r"[a-z0-9\-]{1,40}", fullmatch=True))
        values["calendar_token"] = draw(st.from_regex(r"[A-Za-z0-9_\-]{1,50}", fullmatch=True))
        values["unsubscribe_token"] = draw(st.from_regex(r"[A-Za-z0-9_:\-]{1,80}", fullmatch=True))
        values["topic_slug"] = draw(st.from_regex(r"[a-z0-9\-]{1,30}", fullmatch=True))
        values["question_key"] = draw(st.from_regex(r"[a-z0-9\-]{1,30}", fullmatch=True))
    if whose == "junk" or draw(st.booleans()):
        values["position"] = draw(
            st.one_of(st.integers(0, 30), st.integers(0, 10**25), st.just(values["position"]))
        )
    url = endpoint.url(values)
    known = sorted(world.fields.get(endpoint.name, set()))
    names = draw(
        st.lists(
            st.one_of(st.sampled_from(known), odd_text) if known else odd_text,
            max_size=max(len(known) + 2, 3),
            unique=True,
        )
    )
    data = {name: draw(value) for name in names}
    return endpoint, url, data


def check(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code == 405:
        assert response.get("Allow"), f"{what}: a 405 without Allow"
    if 400 <= response.status_code < 500 and response.request["REQUEST_METHOD"] != "HEAD":
        assert response.content.strip(), f"{what}: a {response.status_code} with an empty body"


# The fuzz tests ---------------------------------------------------------------------------


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
    # The one-click unsubscribe takes no CSRF token by design (RFC 8058; test_security.py).
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


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=UTF-16LE",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/x-www-form-urlencoded; charset=",
    'application/x-www-form-urlencoded; charset="utf-8"',
    "APPLICATION/X-WWW-FORM-URLENCODED;;; charset",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data; boundary=XyZ; charset=utf-16",
    "multipart/form-data; boundary=XyZ; charset=no-such-charset",
    "application/json",
    "application/json; charset=utf-32",
    "application/xml",
    "text/plain; charset=utf-7",
    "application/octet-stream",
    "",
]
CODECS = ["utf-8", "utf-16", "utf-16-be", "latin-1", "cp1252", "utf-32"]


@st.composite
def unusual_bodies(draw, world: World):
    """A form body, a multipart body or raw bytes, encoded in some charset or in none."""
    endpoint, url, data = draw(requests_for(world))
    flat = {
        name: (value[0] if value else "") if isinstance(value, list) else value
        for name, value in data.items()
    }
    text = "&".join(f"{name}={value[:200]}" for name, value in flat.items())
    kind = draw(st.sampled_from(["form", "multipart", "bytes"]))
    if kind == "form":
        body = text.encode(draw(st.sampled_from(CODECS)), "replace")
    elif kind == "multipart":
        parts = [
            f'--XyZ\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value[:200]}\r\n'
            for name, value in flat.items()
        ]
        body = ("".join(parts) + "--XyZ--\r\n").encode(draw(st.sampled_from(CODECS)), "replace")
        if draw(st.booleans()):
            body = body[: draw(st.integers(0, len(body)))]  # cut short
    else:
        body = draw(st.binary(max_size=400))
    return endpoint, url, body


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_unusual_content_types_and_charsets(world, clients, data):
    """Bodies Django cannot or should not decode get a 400 page (or a fragment), never a 500."""
    endpoint, url, body = data.draw(unusual_bodies(world))
    content_type = data.draw(st.sampled_from(CONTENT_TYPES))
    anonymous = data.draw(st.booleans())
    client = clients.anonymous() if anonymous else clients.learner_client()
    htmx = data.draw(st.booleans())
    # generic() sends the bytes as they are; post() would re-encode them for the charset.
    response = client.generic(
        "POST", url, body, content_type=content_type, **(HTMX if htmx else {})
    )
    check(response, f"POST {url} {content_type!r} {body!r:.300}")
    if response.status_code == 400 and not htmx:
        assert "/static/css/app.css" in response.content.decode(), "a 400 without the site's style"


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
