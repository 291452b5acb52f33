"""Project-wide checks: migrations, health, one <h1> per page, production settings."""

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from prepsite import views

pytestmark = pytest.mark.django_db


def test_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_healthz_ok_without_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


def test_healthz_reports_database_failure(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "database" in response.json()["reason"]


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


def _argless_page_names(resolver=None, prefix=""):
    """Names of every URL pattern that takes no arguments (admin excluded)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _argless_page_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name and "<" not in str(pattern.pattern):
            yield pattern.name


NON_HTML = {
    "healthz",
    "logout",
    "export_data",
    "bench_floor",
    "bench_write_floor",
    "session_history_csv",
    "robots_txt",
    "sitemap",
    "library_practise",  # a form's POST only
}


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "learner"])
def test_every_page_has_exactly_one_h1(client, learner, logged_in):
    if logged_in:
        client.force_login(learner)
    checked = 0
    for name in sorted(set(_argless_page_names())):
        if name in NON_HTML:
            continue
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, f"{name} has not exactly one <h1>"
        checked += 1
    assert checked >= 5


def test_login_required_by_default(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_csp_header_forbids_inline_scripts(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "'nonce-" in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    # Every script tag on the page carries the nonce or loads a file from 'self'.
    for tag in re.findall(r"<script[^>]*>", response.content.decode()):
        assert f'nonce="{nonce}"' in tag or "src=" in tag, tag


def test_no_inline_event_handlers_in_templates():
    from pathlib import Path

    offenders = [
        str(path)
        for path in Path("templates").rglob("*.html")
        if re.search(r"\son[a-z]+\s*=", path.read_text())
    ]
    assert offenders == []


def test_htmx_requests_carry_csrf_token(learner_client):
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert re.search(r'<body[^>]*hx-headers=\'\{"x-csrftoken": "[^"]+"\}\'', html)
    assert html.count("htmx-2.min.js") == 1


def test_check_deploy_is_clean_in_production_mode():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-check",
        "ALLOWED_HOSTS": "prepsite.example",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in tests, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_the_bench_routes_are_on():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-check",
        "ALLOWED_HOSTS": "prepsite.example",
        "PREPSITE_BENCH_ROUTES": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "prepsite.E001" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "prepsite.example"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("debug", ["1", "0"])
def test_each_log_line_is_printed_once(debug):
    env = {**os.environ, "DEBUG": debug, "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "localhost"}
    code = "import logging; logging.getLogger('django.request').warning('once-marker')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("once-marker") == 1


def test_trusted_proxy_count_must_be_a_whole_number_from_zero():
    for bad in ("-1", "two"):
        env = {**os.environ, "TRUSTED_PROXY_COUNT": bad}
        result = subprocess.run(
            [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
        )
        assert result.returncode != 0
        assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_not_found_page_and_htmx_fragment(learner_client):
    page = learner_client.get("/practice/00000000-0000-0000-0000-000000000000/")
    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.content.decode()
    fragment = learner_client.get(
        "/practice/00000000-0000-0000-0000-000000000000/", HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 404
    assert "<html" not in fragment.content.decode()
    assert 'role="alert"' in fragment.content.decode()


def test_csrf_failure_explains_what_to_do(learner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(reverse("practice_start"), {"size": 5, "mode": "random"})
    assert response.status_code == 403
    assert "Reload it and try again" in response.content.decode()
    fragment = client.post(reverse("practice_start"), {}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 403 and "<html" not in fragment.content.decode()
