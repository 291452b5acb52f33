"""Project-wide security checks over every route of the URLconf (found by walking it).

- Every POST without a CSRF token is refused with 403, and changes nothing; with a token the
  same POST gets past the check (so the 403 is the token's doing).
- Read-only pages answer GET and HEAD only.
- Every route that takes a learner's session or position answers 404 to another learner.
- Every page sends a Content-Security-Policy that forbids inline scripts.
- Session and CSRF cookies are HttpOnly and SameSite=Lax, and Secure in production.

`manage.py check --deploy` is run by test_project.py; the log-in lockout is tested with the
accounts (accounts/tests/test_lockout.py).
"""

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Profile
from accounts.tests.factories import PASSWORD
from interviews.models import Interview, InterviewStep
from interviews.services import start_interview
from prepsite.tests.endpoints import Endpoint, all_endpoints
from quizzes import services
from quizzes.models import (
    Answer,
    Card,
    Mode,
    PracticeSession,
    Report,
    SessionItem,
    UserQuestion,
)
from quizzes.tests.factories import QuestionFactory
from reminders.services import get_settings
from reminders.tokens import make_unsubscribe_token

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# The CSRF middleware logs each refusal here, whatever page the project shows for it.
CSRF_LOGGER = "django.security.csrf"
# A CSRF secret may be sent as it is (unmasked); 32 letters and digits.
CSRF_SECRET = "k" * 32

ENDPOINTS = all_endpoints()
# Routes whose arguments are not a learner's own objects: the reset link, the calendar feed
# and the unsubscribe link carry their own proof.
# The library's addresses name a public question; a learner's marks on it are found by who asks.
PUBLIC_ARGUMENTS = {
    "uidb64",
    "token",
    "calendar_token",
    "unsubscribe_token",
    "topic_slug",
    "question_key",
}
OWNED = [e for e in ENDPOINTS if e.kwargs and not set(e.kwargs) <= PUBLIC_ARGUMENTS]

# What a person would plausibly send to each form; the CSRF check runs before any of it is read.
PLAUSIBLE = {
    "signup": {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    },
    "login": {"username": "ada", "password": PASSWORD},
    "password_change": {
        "old_password": PASSWORD,
        "new_password1": "a much newer passphrase",
        "new_password2": "a much newer passphrase",
    },
    "password_reset": {"email": "ada@example.com"},
    "password_reset_confirm": {
        "new_password1": "a much newer passphrase",
        "new_password2": "a much newer passphrase",
    },
    "profile": {
        "display_name": "Changed",
        "email": "changed@example.com",
        "time_zone": "Europe/London",
        "daily_goal": 20,
    },
    "delete_account": {"password": PASSWORD},
    "practice_start": {"size": 5, "mode": "random"},
    "practice_reveal": {"position": 1, "typed_answer": "Momentum and scaling"},
    "practice_grade": {"position": 1, "grade": 3},
    "practice_report": {"reason": "wrong", "note": "The sign is flipped."},
    "reminder_settings": {"daily": "on", "hour": 7},
    "schedule_settings": {"desired_retention": 0.85, "new_per_day": 5, "max_reviews_per_day": 50},
    "interview_start": {"minutes": 30, "level": "medium"},
    "interview_reveal": {"position": 0, "typed_answer": "Momentum"},
    "interview_grade": {"position": 0, "grade": 3},
    "interview_follow_up": {"covered": "yes"},
    "library_practise": {"q": "question", "size": 5},
    "library_bookmark": {"bookmarked": "1"},
    "library_suspend": {"suspended": "1"},
    "library_note": {"note": "Remember the *sign*."},
}
# Routes that must be among those taking a POST: a check that the walk found them.
KNOWN_POSTS = {
    "signup",
    "login",
    "logout",
    "password_change",
    "password_reset",
    "password_reset_confirm",
    "profile",
    "delete_account",
    "practice_start",
    "practice_reveal",
    "practice_grade",
    "practice_missed",
    "practice_abandon",
    "practice_report",
    "reminder_settings",
    "new_calendar_link",
    "interview_start",
    "interview_reveal",
    "interview_grade",
    "interview_follow_up",
    "interview_end",
    "interview_practise",
    "unsubscribe",
    "schedule_settings",
    "optimise_schedule",
    "practice_undo",
    "library_practise",
    "library_bookmark",
    "library_suspend",
    "library_note",
    "library_reset",
    "library_practise_question",
}
# RFC 8058: a mail provider's one-click unsubscribe posts without a cookie or CSRF token;
# the signed token in the address is the proof.
CSRF_EXEMPT = {"unsubscribe"}


@pytest.fixture
def world(learner, other_learner):
    """Learner A (ada) with a session of 3 questions, the first graded Again; B is grace."""
    QuestionFactory.create_batch(4)
    session = services.start_session(user=learner, mode=Mode.NEW, size=3).session
    item = session.items.get(position=0)
    services.reveal(item=item, typed_answer="A first try")
    services.record_grade(session=session, item=item, grade=1, key_point_ids=[])
    session.refresh_from_db()
    Profile.objects.create(user=learner, display_name="Ada L.")
    Profile.objects.create(user=other_learner, display_name="Grace H.")
    interview = start_interview(user=learner, minutes=30, level="medium")
    return {
        "a": learner,
        "b": other_learner,
        "session": session,
        "interview": interview,
        "question": item.question,
    }


def arguments(world) -> dict:
    learner = world["a"]
    return {
        "session_id": world["session"].pk,
        "interview_id": world["interview"].pk,
        "position": 0,
        "uidb64": urlsafe_base64_encode(force_bytes(learner.pk)),
        "token": default_token_generator.make_token(learner),
        "calendar_token": get_settings(learner).calendar_token,
        "unsubscribe_token": make_unsubscribe_token(user_id=learner.pk, kind="daily"),
        "topic_slug": world["question"].topic.slug,
        "question_key": world["question"].key,
    }


def snapshot(world) -> dict:
    """What a refused request must leave exactly as it was."""
    learner = world["a"]
    learner.refresh_from_db()
    return {
        "sessions": PracticeSession.objects.count(),
        "answers": Answer.objects.count(),
        "reports": Report.objects.count(),
        "revealed": SessionItem.objects.filter(revealed_at__isnull=False).count(),
        "abandoned": PracticeSession.objects.abandoned().count(),
        "interviews": Interview.objects.count(),
        "interviews over": Interview.objects.finished().count(),
        "steps revealed": InterviewStep.objects.filter(revealed_at__isnull=False).count(),
        "profile": Profile.objects.get(user=learner).display_name,
        "email": learner.email,
        "password": learner.password,
        "users": type(learner).objects.count(),
        "marks": list(UserQuestion.objects.values_list("bookmarked", "suspended", "note")),
        "cards": Card.objects.count(),
    }


def csrf_refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == CSRF_LOGGER]


def assert_refused_for_csrf(response, caplog) -> None:
    assert response.status_code == 403
    assert csrf_refusals(caplog), "a 403, but not from the CSRF check"
    assert response.content.strip(), "the refusal should say what to do"


# Any value that fits each route's converter: for resolving, not for requesting.
PLACEHOLDERS = {
    "session_id": uuid.uuid4(),
    "interview_id": uuid.uuid4(),
    "position": 0,
    "uidb64": "MQ",
    "token": "set-password",
    "calendar_token": "x",
    "unsubscribe_token": "x",
    "topic_slug": "topic",
    "question_key": "question",
}


def logged_in(user, *, enforce_csrf: bool) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


POSTS = [e for e in ENDPOINTS if e.name in KNOWN_POSTS]
CSRF_CHECKED = [e for e in ENDPOINTS if e.name not in CSRF_EXEMPT]
READ_ONLY = [e for e in ENDPOINTS if e.name not in KNOWN_POSTS]


# (a) CSRF ---------------------------------------------------------------------------------


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


# (b) Methods ------------------------------------------------------------------------------


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


# (c) Another learner's objects ------------------------------------------------------------


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


# (d) Content-Security-Policy --------------------------------------------------------------


def assert_strict_csp(response, where: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    script_src = directives.get("script-src", "")
    assert script_src, f"{where}: no script-src in {policy!r}"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where
    assert directives.get("object-src") == "'none'", where
    assert directives.get("base-uri") == "'none'", where
    assert directives.get("frame-ancestors") == "'none'", where
    if not response["Content-Type"].startswith("text/html"):
        return  # JSON and CSV: Django adds the nonce only where a template used it
    html = response.content.decode(errors="replace")
    nonce = re.search(r"'nonce-([^']+)'", script_src)
    # A full page loads htmx with the nonce; a fragment or an error page may have no script.
    if "<html" in html and "htmx" in html:
        assert nonce, f"{where}: no nonce in script-src"
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert (nonce and f'nonce="{nonce.group(1)}"' in tag) or "src=" in tag, f"{where}: {tag}"


@pytest.mark.parametrize("who", ["anonymous", "learner", "editor"])
def test_every_page_forbids_inline_scripts(world, editor, who):
    client = Client()
    if who != "anonymous":
        client.force_login(world["a"] if who == "learner" else editor)
    checked = 0
    for endpoint in ENDPOINTS:
        for extra in ({}, HTMX):
            response = client.get(endpoint.url(arguments(world)), follow=True, **extra)
            if response.status_code == 405:
                continue
            assert_strict_csp(response, f"{who} {endpoint.route}")
            checked += 1
    assert checked >= 30


def test_admin_pages_forbid_inline_scripts(editor):
    client = logged_in(editor, enforce_csrf=False)
    for name in ("admin:index", "admin:quizzes_question_changelist", "admin:quizzes_question_add"):
        assert_strict_csp(client.get(reverse(name)), name)


def test_csp_nonce_changes_per_response(client):
    nonces = {
        re.search(r"'nonce-([^']+)'", client.get("/").headers["Content-Security-Policy"]).group(1)
        for _ in range(3)
    }
    assert len(nonces) == 3


# (e) Cookies ------------------------------------------------------------------------------

PRODUCTION_ENV = {"DEBUG": "0", "SECRET_KEY": "x", "ALLOWED_HOSTS": "prepsite.example"}
COOKIE_SETTINGS = [
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
]


def settings_under(env: dict) -> dict:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'prepsite.settings'\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{name: getattr(settings, name) for name in {COOKIE_SETTINGS!r}}}))"
    )
    environ = {**os.environ, **env}
    environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_cookies_are_httponly_lax_and_secure():
    values = settings_under(PRODUCTION_ENV)
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_development_cookies_work_over_plain_http():
    values = settings_under({"DEBUG": "1"})
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SESSION_COOKIE_HTTPONLY"] is True


def test_cookies_sent_at_log_in_carry_the_flags(learner):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    csrf = page.cookies["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    response = client.post(
        reverse("login"),
        {"username": "ada", "password": PASSWORD, "csrfmiddlewaretoken": token.decode()},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    for cookie in (session, csrf):
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key
