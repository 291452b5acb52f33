"""`make soak`: 100 learners practise for a minute while workers are killed and PostgreSQL restarts.

A production-like gunicorn (DEBUG=0, several sync workers) on PostgreSQL and Redis serves 100
simulated learners, each a thread that starts sessions, reveals and grades over htmx, reads the
summary and the dashboard, and starts again. Meanwhile one gunicorn worker is SIGKILLed every 10 s
and PostgreSQL is restarted once. Every grade the server acknowledged (a 2xx) is logged.

At the end it checks and prints:
- every acknowledged grade is in the database exactly once, and each session's counters match
  its answers;
- no 5xx and no dropped connection except for requests in flight when a worker was killed or
  while the database was down;
- /healthz answered 200 again within 5 s of the database accepting connections.

It exits 1 when a check fails. It runs on this machine only (127.0.0.1), in about two minutes.
Options: --learners N, --duration SECONDS (for a quick try).
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg

from bench import infra
from bench.infra import children, free_port, pg_ready
from bench.stats import percentile

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
PG = {"host": infra.PG_HOST, "port": infra.PG_PORT, "user": infra.PG_USER}
DB_NAME = "prepsite_soak"
REDIS_URL = "redis://127.0.0.1:6379/13"
RESULTS = ROOT / "var" / "soak"
PASSWORD = "soak learner passphrase 7"
WORKERS = 4
KILL_EVERY = 10.0
DB_RESTART_AT = 25.0
RECOVERY_LIMIT = 5.0
# Learners who log in through the form; the rest start with a session made for them, because
# 100 real password checks (about a second of CPU each) would be most of the minute's work.
FORM_LOGINS = 5
# Slack around a kill for a request to count as in flight on the killed worker.
IN_FLIGHT = 0.1

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = re.compile(r'<form[^>]*action="(/practice/[0-9a-f-]+/(reveal|grade)/)"')
POSITION = re.compile(r'name="position" value="(\d+)"')


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Services ---------------------------------------------------------------------------------


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def wait_for(check, timeout: float, what: str, interval: float = 0.1) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic()
        time.sleep(interval)
    raise SystemExit(f"{what} did not happen within {timeout:.0f} s")


def ensure_services() -> None:
    infra.ensure_postgres()
    infra.ensure_redis()
    flush = ["redis-cli", "-h", "127.0.0.1", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"]
    subprocess.run(flush, check=True, capture_output=True)


def server_env() -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "soak-" + "s" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        # The learners say they came over HTTPS, as a TLS proxy would, so the Secure cookies
        # and the CSRF origin check work as in production.
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "soak",
        "DATABASE_URL": infra.database_url(DB_NAME),
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=server_env(), check=True)


def prepare_database(learners: int) -> dict[str, str]:
    """A fresh prepsite_soak with the question bank and the learners; their session cookies."""
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    manage("migrate", "--no-input", "-v", "0")
    manifest = ROOT / "var" / "staticfiles" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        manage("collectstatic", "--no-input", "-v", "0")
    manage("load_question_bank", "-v", "0")
    code = f"""
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.cache import SessionStore
from accounts.models import Profile
User = get_user_model()
password = make_password({PASSWORD!r})  # one hash for all: each costs a second
users = User.objects.bulk_create(
    User(username=f"soak{{n:03d}}", email=f"soak{{n:03d}}@example.com", password=password)
    for n in range({learners})
)
Profile.objects.bulk_create(Profile(user=user) for user in users)
cookies = {{}}
for user in users[{FORM_LOGINS}:]:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.UsernameOrEmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    cookies[user.username] = session.session_key
print(json.dumps({{"users": [u.username for u in users], "cookies": cookies}}))
"""
    env = {**server_env(), "DJANGO_SETTINGS_MODULE": "prepsite.settings"}
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    made = json.loads(out.strip().splitlines()[-1])
    return {username: made["cookies"].get(username, "") for username in made["users"]}


# The learners -----------------------------------------------------------------------------


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
    def __init__(self, username, session_cookie, port, deadline, record, grades_log):
        super().__init__(daemon=True, name=username)
        self.username = username
        self.cookies = {"sessionid": session_cookie} if session_cookie else {}
        self.port = port
        self.deadline = deadline
        self.record = record
        self.grades_log = grades_log
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
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.token})
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
                data = {"username": self.username, "password": PASSWORD}
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
            else:
                data = {"position": position, "grade": self.random.choice([1, 2, 3, 3, 4])}
                status, headers, html = self.request("POST", action, data, htmx=True, what="grade")
                if status is not None and 200 <= status < 300:
                    with self.record.lock:
                        self.record.acknowledged.append((session_id, position, time.monotonic()))
                    self.grades_log.write(f"{time.time():.3f} {session_id} {position} {status}\n")
                    if headers.get("HX-Redirect"):
                        html = ""  # the summary: a page of its own
            if status != 200:
                html = ""


# Faults -----------------------------------------------------------------------------------


@dataclass
class Faults:
    kills: list[tuple[float, int]] = field(default_factory=list)
    db_down: float | None = None
    db_back: float | None = None
    # The first /healthz probe after the database was back that got a 200: when it was sent
    # (the app had recovered) and when it was answered (after waiting its turn in the queue).
    healthy_sent: float | None = None
    healthy_answered: float | None = None


def inject_faults(master: int, port: int, start: float, deadline: float, faults: Faults) -> None:
    """Kill a worker every KILL_EVERY seconds; restart PostgreSQL once, beside the kills."""
    next_kill = start + KILL_EVERY
    restart_at = start + min(DB_RESTART_AT, (deadline - start) * 0.4)
    restart = threading.Thread(target=restart_postgres, args=(port, faults), daemon=True)
    while time.monotonic() < deadline - 1:
        now = time.monotonic()
        if not restart.is_alive() and faults.db_down is None and now >= restart_at:
            restart.start()
        if now >= next_kill:
            next_kill += KILL_EVERY
            workers = children(master)
            if workers:
                victim = random.choice(workers)
                os.kill(victim, signal.SIGKILL)
                faults.kills.append((time.monotonic(), victim))
                log(f"SIGKILL worker {victim} ({len(workers)} running)")
        time.sleep(0.05)
    restart.join(timeout=60)


def other_database_users() -> list[str]:
    """Databases other programs are connected to: the restart will cut them off too."""
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL "
            "AND datname NOT IN (%s, 'postgres') AND pid <> pg_backend_pid() GROUP BY datname",
            [DB_NAME],
        )
        return [f"{name} ({count})" for name, count in rows]


def restart_postgres(port: int, faults: Faults) -> None:
    log("Restarting PostgreSQL")
    faults.db_down = time.monotonic()
    cluster = ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"]
    subprocess.run(cluster, check=True)
    faults.db_back = wait_for(pg_ready, 60, "PostgreSQL restart", interval=0.05)
    log(f"PostgreSQL back after {faults.db_back - faults.db_down:.1f} s")

    probe_health(port, faults)
    if faults.healthy_sent is not None:
        sent, answered = (
            faults.healthy_sent - faults.db_back,
            faults.healthy_answered - faults.db_back,
        )
        log(f"/healthz 200 for a probe sent {sent:.2f} s after the database was back")
        log(f"(answered {answered:.2f} s after it, having queued behind the learners)")


def probe_health(port: int, faults: Faults, every: float = 0.25, limit: float = 30.0) -> None:
    """Send /healthz every `every` seconds, each on its own connection, until one gets a 200.

    The probes do not wait for each other: under load a request queues behind the learners'
    for seconds, and the question is when the app could serve again, not how long the queue is.
    """
    results: list[tuple[float, float, int | None]] = []

    def probe() -> None:
        sent = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        try:
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException):
            status = None
        finally:
            connection.close()
        results.append((sent, time.monotonic(), status))

    probes = []
    stop = time.monotonic() + limit
    while time.monotonic() < stop and not any(status == 200 for _, _, status in results):
        probes.append(threading.Thread(target=probe, daemon=True))
        probes[-1].start()
        time.sleep(every)
    for thread in probes:
        thread.join(timeout=max(0.0, stop + limit - time.monotonic()))
    ok = [(sent, done) for sent, done, status in results if status == 200]
    if ok:
        faults.healthy_sent = min(sent for sent, _ in ok)
        faults.healthy_answered = min(done for _, done in ok)


# Checks -----------------------------------------------------------------------------------


def explained(outcome: Outcome, faults: Faults) -> str | None:
    """Why a failed request is expected: a dropped connection in flight when a worker was
    killed, or a 5xx for a request that overlapped the database being away."""
    if outcome.status is None and outcome.what != "learner crashed":
        for killed_at, _ in faults.kills:
            if outcome.start - IN_FLIGHT <= killed_at <= outcome.end + IN_FLIGHT:
                return "worker killed"
    if outcome.status is not None and outcome.status >= 500 and faults.db_down is not None:
        back = faults.healthy_answered or faults.db_back or time.monotonic()
        if outcome.start <= back and outcome.end >= faults.db_down - IN_FLIGHT:
            return "database restart"
    return None


def database_facts() -> dict:
    with psycopg.connect(dbname=DB_NAME, **PG) as conn:
        graded = {
            (str(session_id), position): count
            for session_id, position, count in conn.execute(
                "SELECT i.session_id, i.position, count(a.id) FROM quizzes_sessionitem i "
                "LEFT JOIN quizzes_answer a "
                "ON a.session_id = i.session_id AND a.question_id = i.question_id "
                "GROUP BY i.session_id, i.position"
            )
        }
        counters_off = conn.execute(
            "SELECT count(*) FROM quizzes_practicesession s WHERE s.answered <> "
            "(SELECT count(*) FROM quizzes_answer a WHERE a.session_id = s.id)"
        ).fetchone()[0]
        answers = conn.execute("SELECT count(*) FROM quizzes_answer").fetchone()[0]
        activity = conn.execute("SELECT coalesce(sum(answers), 0) FROM accounts_dailyactivity")
        return {
            "graded": graded,
            "counters_off": counters_off,
            "answers": answers,
            "activity_answers": activity.fetchone()[0],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    began = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)

    ensure_services()
    if others := other_database_users():
        log(f"Warning: the PostgreSQL restart will also cut off {', '.join(others)}")
    log(f"Preparing {DB_NAME}: migrate, question bank, {args.learners} learners")
    cookies = prepare_database(args.learners)

    port = free_port()
    server_log = (RESULTS / "gunicorn.log").open("w")
    master = subprocess.Popen(
        [GUNICORN, "prepsite.wsgi", "--no-control-socket", "-b", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--timeout", "30", "--graceful-timeout", "5",
         "--backlog", "2048"],
        cwd=ROOT, env=server_env(), stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    record, faults = Record(), Faults()
    try:
        wait_for(lambda: len(children(master.pid)) == WORKERS, 30, "gunicorn start")
        try:
            infra.wait_until_healthy(f"http://127.0.0.1:{port}", master, RESULTS / "gunicorn.log")
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from None
        log(f"gunicorn :{port}, {WORKERS} workers; {args.learners} learners, {args.duration:.0f} s")
        start = record.start = time.monotonic()
        deadline = start + args.duration
        with (RESULTS / "grades.log").open("w") as grades_log:
            learners = [
                Learner(name, cookie, port, deadline, record, grades_log)
                for name, cookie in cookies.items()
            ]
            for learner in learners:
                learner.start()
            inject_faults(master.pid, port, start, deadline, faults)
            for learner in learners:
                learner.join(timeout=max(1.0, deadline + 25 - time.monotonic()))
        stuck = [learner.name for learner in learners if learner.is_alive()]
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=15)
        except subprocess.TimeoutExpired:
            master.kill()
        server_log.close()

    facts = database_facts()
    return report(args, record, faults, facts, stuck, time.monotonic() - began)


def timeline(outcomes, start: float, bucket: float = 5.0) -> list[str]:
    """Requests finished per bucket of seconds, with the failures: where the faults show."""
    done, failed = Counter(), Counter()
    for outcome in outcomes:
        slot = int((outcome.end - start) // bucket)
        done[slot] += 1
        if outcome.status is None or outcome.status >= 500:
            failed[slot] += 1
    return [
        f"{slot * bucket:.0f}-{(slot + 1) * bucket:.0f} s: {done[slot]} done, {failed[slot]} failed"
        for slot in sorted(done)
    ]


def report(args, record, faults, facts, stuck, elapsed) -> int:
    outcomes = record.outcomes
    latencies = [o.end - o.start for o in outcomes if o.status is not None]
    by_kind: dict[str, list[float]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.what, []).append(outcome.end - outcome.start)
    statuses = Counter(o.status if o.status is not None else o.error for o in outcomes)
    failures = [o for o in outcomes if o.status is None or o.status >= 500]
    reasons = Counter(explained(o, faults) for o in failures)
    unexplained = [o for o in failures if explained(o, faults) is None]
    acknowledged = {(session, position) for session, position, _ in record.acknowledged}
    missing = [key for key in acknowledged if facts["graded"].get(key, 0) != 1]
    recovery = answered = None
    if faults.healthy_sent is not None and faults.db_back is not None:
        recovery = faults.healthy_sent - faults.db_back
        answered = faults.healthy_answered - faults.db_back
    db_outage = faults.db_back - faults.db_down if faults.db_back and faults.db_down else None
    summary = {
        "learners": args.learners,
        "duration_s": args.duration,
        "requests": len(outcomes),
        "requests_per_s": round(len(outcomes) / args.duration, 1),
        "latency_ms": {
            "p50": round(1000 * percentile(sorted(latencies), 0.5)),
            "p95": round(1000 * percentile(sorted(latencies), 0.95)),
            "max": round(1000 * max(latencies, default=0)),
        },
        "p50_ms_by_kind": {
            what: round(1000 * percentile(sorted(durations), 0.5))
            for what, durations in by_kind.items()
        },
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "sessions_started": record.sessions_started,
        "sessions_finished": record.sessions_finished,
        "grades_acknowledged": len(acknowledged),
        "answers_in_database": facts["answers"],
        "acknowledged_not_exactly_once": len(missing),
        "session_counters_not_matching_answers": facts["counters_off"],
        "daily_activity_answers": facts["activity_answers"],
        "workers_killed": len(faults.kills),
        "database_restarts": int(faults.db_down is not None),
        "database_outage_s": round(db_outage, 2) if db_outage is not None else None,
        "healthz_200_sent_after_db_back_s": round(recovery, 2) if recovery is not None else None,
        "healthz_200_answered_after_db_back_s": round(answered, 2)
        if answered is not None
        else None,
        "failed_requests": len(failures),
        "failed_by_cause": {str(k): v for k, v in reasons.items()},
        "unexplained_failures": [
            f"{o.what} {o.status or o.error} at {o.start:.2f}" for o in unexplained[:20]
        ],
        "learners_stuck": stuck,
        "wall_time_s": round(elapsed, 1),
    }
    summary["timeline"] = timeline(outcomes, record.start)
    summary["faults_at_s"] = {
        "worker_kills": [round(at - record.start, 1) for at, _ in faults.kills],
        "database_down": round(faults.db_down - record.start, 1) if faults.db_down else None,
        "database_back": round(faults.db_back - record.start, 1) if faults.db_back else None,
    }
    (RESULTS / "result.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))

    checks = {
        "every acknowledged grade is in the database exactly once": not missing and acknowledged,
        "session counters match their answers": facts["counters_off"] == 0,
        "daily activity counts every answer": facts["activity_answers"] == facts["answers"],
        "no 5xx or dropped connection outside a fault": not unexplained,
        f"/healthz 200 within {RECOVERY_LIMIT:.0f} s of the database returning": (
            recovery is not None and recovery <= RECOVERY_LIMIT
        ),
        "faults injected (a worker kill every 10 s, one database restart)": (
            len(faults.kills) >= int(args.duration // KILL_EVERY) - 1 and db_outage is not None
        ),
        "every learner finished": not stuck,
    }
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
