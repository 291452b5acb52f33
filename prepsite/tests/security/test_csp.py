"""(d) Every page, for a stranger, a learner and an editor, sends a Content-Security-Policy
that forbids inline scripts, with a fresh nonce on each response."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from prepsite.tests.security.routes import (
    ENDPOINTS,
    HTMX,
    arguments,
    logged_in,
)

pytestmark = pytest.mark.django_db


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
