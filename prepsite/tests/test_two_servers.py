"""Two gunicorn servers on one PostgreSQL (and Redis): a learner bounced between them each request.

Log-in, a whole practice session over htmx, the summary and the dashboard must all work when
every request lands on the other server, so nothing a learner needs lives in one process.
"""

import http.cookiejar
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from itertools import cycle
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from accounts.tests.factories import PASSWORD
from bench.infra import free_port, wait_until_healthy
from quizzes.models import Answer, PracticeSession
from quizzes.tests.factories import QuestionFactory, TopicFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _database_url() -> str:
    """The test database pytest-django made (test_<name>), as a URL for the servers."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "1",
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "DB_CONN_MAX_AGE": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"gunicorn-{port}.log" for port in ports]
    servers, handles = [], []
    try:
        for port, log in zip(ports, logs, strict=True):
            handles.append(log.open("w"))
            servers.append(
                subprocess.Popen(
                    [str(GUNICORN), "prepsite.wsgi", "--no-control-socket"]
                    + ["-b", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=handles[-1],
                )
            )
        for port, server, log in zip(ports, servers, logs, strict=True):
            wait_until_healthy(f"http://127.0.0.1:{port}", server, log)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        for handle in handles:
            handle.close()


class Browser:
    """A cookie jar and no automatic redirects; each request goes to the next server."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, ports):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect()
        )
        self.ports = cycle(ports)
        self.token = ""
        self.served_by: list[int] = []

    def request(self, method: str, path: str, data=None, *, htmx: bool = False):
        port = next(self.ports)
        self.served_by.append(port)
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method)
        if htmx:
            request.add_header("HX-Request", "true")
            request.add_header("X-CSRFToken", self.token)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            response = error
        html = response.read().decode()
        if found := TOKEN.search(html):
            self.token = found.group(1)
        return response.status, response.headers, html

    def post(self, path: str, data: dict, **kwargs):
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": self.token}, **kwargs)


def test_a_session_bounced_between_two_servers(two_servers, learner):
    # The servers use the real hashers, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    learner.password = hasher.encode(PASSWORD, hasher.salt())
    learner.save(update_fields=["password"])
    topic = TopicFactory(name="Optimisation")
    QuestionFactory.create_batch(6, topic=topic)
    browser = Browser(two_servers)

    status, _, _ = browser.request("GET", "/accounts/login/")
    assert status == 200 and browser.token
    status, headers, _ = browser.post(
        "/accounts/login/", {"username": learner.username, "password": PASSWORD}
    )
    assert status == 302 and headers["Location"] == "/dashboard/"

    status, _, html = browser.request("GET", "/practice/")
    assert status == 200 and "Start session" in html
    status, headers, _ = browser.post("/practice/", {"size": 5, "mode": "random"})
    assert status == 302, "starting a session"
    session_url = headers["Location"]
    session = PracticeSession.objects.get(user=learner)
    assert session_url == session.get_absolute_url()

    status, _, html = browser.request("GET", session_url)
    assert status == 200 and "Question 1 of 5" in html
    grades = [3, 1, 4, 2, 3]
    for position, grade in enumerate(grades):
        status, _, html = browser.post(
            f"{session_url}reveal/", {"position": position, "typed_answer": "mine"}, htmx=True
        )
        assert status == 200 and "Reference answer" in html, f"reveal {position}: {html[:300]}"
        status, headers, html = browser.post(
            f"{session_url}grade/", {"position": position, "grade": grade}, htmx=True
        )
        assert status == 200, f"grade {position}: {status} {html[:300]}"
        if position < len(grades) - 1:
            assert f"Question {position + 2} of 5" in html
        else:
            assert headers["HX-Redirect"] == session_url

    status, _, html = browser.request("GET", session_url)
    assert status == 200 and "Score: 80%" in html
    status, _, html = browser.request("GET", "/dashboard/")
    assert status == 200 and "<h1" in html

    assert sorted(Answer.objects.filter(session=session).values_list("grade", flat=True)) == sorted(
        grades
    )
    # Every other request went to the other server.
    assert set(browser.served_by) == set(two_servers)
    assert all(a != b for a, b in zip(browser.served_by, browser.served_by[1:], strict=False))
