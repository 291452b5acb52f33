"""The soak's simulated learners: one thread each, practising over htmx as a browser would.

Each learner starts a session, reveals and grades every card, reads the summary and the
dashboard, and starts again until the deadline. Every request's outcome is recorded, and
every grade the server acknowledged (a 2xx) is logged, for bench/soak/checks.py to find in
the database.
"""

import http.client
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = re.compile(r'<form[^>]*action="(/practice/[0-9a-f-]+/(reveal|grade)/)"')
POSITION = re.compile(r'name="position" value="(\d+)"')
KEY_POINT = re.compile(r'name="key_points" value="(\d+)"')


@dataclass
class Outcome:
    what: str
    start: float
    end: float
    status: int | None  # None: the connection failed
    error: str = ""


@dataclass
class Record:
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: list[tuple[str, int, float]] = field(default_factory=list)
    sessions_started: int = 0
    sessions_finished: int = 0
    start: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Learner(threading.Thread):
    def __init__(self, username, session_cookie, port, deadline, record, grades_log, password):
        super().__init__(daemon=True, name=username)
        self.username = username
        self.cookies = {"sessionid": session_cookie} if session_cookie else {}
        self.port = port
        self.deadline = deadline
        self.record = record
        self.grades_log = grades_log
        self.password = password
        self.token = ""
        self.random = random.Random(username)

    # HTTP, with cookies by hand: the server's are Secure, which a cookie jar keeps from http.
    def request(self, method, path, data=None, *, htmx=False, what=""):
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Referer": f"https://127.0.0.1:{self.port}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
            headers["X-CSRFToken"] = self.token
        start = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            html = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            self._note(Outcome(what or method, start, time.monotonic(), None, type(exc).__name__))
            return None, {}, ""
        finally:
            connection.close()
        self._note(Outcome(what or method, start, time.monotonic(), response.status))
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if found := TOKEN.search(html):
            self.token = found.group(1)
        return response.status, response.headers, html

    def _note(self, outcome):
        with self.record.lock:
            self.record.outcomes.append(outcome)

    def pause(self):
        time.sleep(self.random.uniform(0.05, 0.3))  # a person reads before clicking

    def run(self):
        if "sessionid" not in self.cookies:
            self.log_in()
        while time.monotonic() < self.deadline:
            try:
                self.practise()
            except Exception as exc:  # a learner must not die silently
                now = time.monotonic()
                self._note(Outcome("learner crashed", now, now, None, repr(exc)))
                time.sleep(0.5)

    def log_in(self):
        while time.monotonic() < self.deadline:
            status, _, _ = self.request("GET", "/accounts/login/", what="login page")
            if status == 200:
                data = {"username": self.username, "password": self.password}
                status, headers, _ = self.request("POST", "/accounts/login/", data, what="log in")
                if status == 302:
                    return
            time.sleep(0.5)

    def practise(self):
        status, _, _ = self.request("GET", "/practice/", what="start page")
        if status != 200:
            time.sleep(0.3)
            return
        self.pause()
        data = {"size": 5, "mode": self.random.choice(["random", "due", "new"])}
        status, headers, _ = self.request("POST", "/practice/", data, what="start")
        if status != 302:
            time.sleep(0.3)
            return
        url = headers["Location"]
        session_id = url.strip("/").split("/")[-1]
        with self.record.lock:
            self.record.sessions_started += 1
        html = ""
        while time.monotonic() < self.deadline:
            if not html:
                status, _, html = self.request("GET", url, what="card")
                if status != 200:
                    html = ""
                    time.sleep(0.3)
                    continue
            if "Score:" in html:
                with self.record.lock:
                    self.record.sessions_finished += 1
                self.request("GET", "/dashboard/", what="dashboard")
                return
            form = FORM.search(html)
            position = POSITION.search(html, form.end()) if form else None
            if not form or not position:
                html = ""  # an unexpected page: ask again
                continue
            action, kind, position = form.group(1), form.group(2), int(position.group(1))
            self.pause()
            if kind == "reveal":
                data = {"position": position, "typed_answer": f"{self.username} at {position}"}
                status, _, html = self.request("POST", action, data, htmx=True, what="reveal")
                if status == 400:
                    # A calculation question refuses words for its number (a 400 with the
                    # message): reveal without an answer, as a stuck learner would.
                    data["typed_answer"] = ""
                    status, _, html = self.request("POST", action, data, htmx=True, what="reveal")
            else:
                data = {"position": position, "grade": self.random.choice([1, 2, 3, 3, 4])}
                # Half the grades tick some of the card's key points (each counts a hit or
                # a miss for every point of the question), the others none.
                points = KEY_POINT.findall(html, form.end())
                if points and self.random.random() < 0.5:
                    ticked = self.random.randint(1, len(points))
                    data["key_points"] = self.random.sample(points, ticked)
                status, headers, html = self.request("POST", action, data, htmx=True, what="grade")
                if status is not None and 200 <= status < 300:
                    with self.record.lock:
                        self.record.acknowledged.append((session_id, position, time.monotonic()))
                    self.grades_log.write(f"{time.time():.3f} {session_id} {position} {status}\n")
                    if headers.get("HX-Redirect"):
                        html = ""  # the summary: a page of its own
            if status != 200:
                html = ""
