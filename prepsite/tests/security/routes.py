"""What the security tests send to the routes found by walking the URLconf
(prepsite/tests/endpoints.py), and the helpers they share.

A new form goes into KNOWN_POSTS (and PLAUSIBLE, what a person would send it); a new route
argument into arguments() and PLACEHOLDERS; snapshot() is what a refused request must leave.
"""

import uuid

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Profile
from accounts.tests.factories import PASSWORD
from interviews.models import Interview, InterviewStep
from prepsite.tests.endpoints import all_endpoints
from quizzes.models import (
    Answer,
    Card,
    PracticeSession,
    Report,
    SessionItem,
    UserQuestion,
)
from reminders.services import get_settings
from reminders.tokens import make_unsubscribe_token

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
