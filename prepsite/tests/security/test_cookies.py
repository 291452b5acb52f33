"""(e) Session and CSRF cookies are HttpOnly and SameSite=Lax, and Secure in production."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


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
