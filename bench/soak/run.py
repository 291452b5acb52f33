"""`make soak`: 100 learners practise for a minute while workers are killed and PostgreSQL restarts.

A production-like gunicorn (DEBUG=0, several sync workers) on PostgreSQL and Redis serves 100
simulated learners (bench/soak/client.py), each a thread that starts sessions, reveals and
grades over htmx, reads the summary and the dashboard, and starts again. Meanwhile one gunicorn
worker is SIGKILLed every 10 s and PostgreSQL is restarted once (bench/soak/faults.py). Every
grade the server acknowledged (a 2xx) is logged.

At the end it checks and prints (bench/soak/checks.py):
- every acknowledged grade is in the database exactly once, and each session's counters match
  its answers;
- no 5xx and no dropped connection except for requests in flight when a worker was killed or
  while the database was down;
- /healthz answered 200 again within 5 s of the database accepting connections.

It exits 1 when a check fails. It runs on this machine only (127.0.0.1), in about two minutes.
Options: --learners N, --duration SECONDS (for a quick try).
"""

import argparse
import json
import subprocess
import time

from bench import infra
from bench.soak import checks
from bench.soak.client import Learner, Record
from bench.soak.faults import Faults, inject_faults, log, other_database_users

DB_NAME = "prepsite_soak"
REDIS_URL = "redis://127.0.0.1:6379/13"
RESULTS = infra.ROOT / "var" / "soak"
PASSWORD = "soak learner passphrase 7"
WORKERS = 4
FORM_LOGINS = 5  # learners who log in through the form (make_soak_learners)


def server_env() -> dict[str, str]:
    """bench.infra's production settings, with the soak's own Redis database and a TLS proxy."""
    env = infra.app_env(DB_NAME)
    env.pop("PREPSITE_BENCH_ROUTES")  # the soak needs no floor views
    env.pop("DB_CONN_MAX_AGE")  # production's reconnections, through the database restart
    env.update(
        SECRET_KEY="soak-" + "s" * 60,
        # The learners say they came over HTTPS, as a TLS proxy would, so the Secure cookies
        # and the CSRF origin check work as in production.
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="soak",
        LOG_LEVEL="ERROR",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def ensure_services() -> None:
    infra.ensure_postgres()
    infra.ensure_redis()
    flush = ["redis-cli", "-h", "127.0.0.1", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"]
    subprocess.run(flush, check=True, capture_output=True)


def prepare_database(learners: int) -> dict[str, str]:
    """A fresh prepsite_soak with the question bank and the learners; their session cookies."""
    env = server_env()
    infra.recreate_database(DB_NAME)
    infra.manage(DB_NAME, "migrate", "--no-input", "-v0", env=env)
    infra.collectstatic(DB_NAME, RESULTS)
    infra.manage(DB_NAME, "load_question_bank", "-v0", env=env, quiet=True)
    out = infra.manage(
        DB_NAME,
        "make_soak_learners",
        "--learners", str(learners),
        "--form-logins", str(FORM_LOGINS),
        "--password", PASSWORD,
        env=env,
        quiet=True,
    )  # fmt: skip
    made = json.loads(out.strip().splitlines()[-1])
    return {username: made["cookies"].get(username, "") for username in made["users"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args(argv)
    began = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)

    ensure_services()
    if others := other_database_users(DB_NAME):
        log(f"Warning: the PostgreSQL restart will also cut off {', '.join(others)}")
    log(f"Preparing {DB_NAME}: migrate, question bank, {args.learners} learners")
    cookies = prepare_database(args.learners)

    server = infra.start_gunicorn(
        DB_NAME,
        workers=WORKERS,
        log_dir=RESULTS,
        env=server_env(),
        options=("--timeout", "30", "--graceful-timeout", "5", "--backlog", "2048"),
    )
    record, faults = Record(), Faults()
    try:
        log(f"gunicorn :{server.port}, {WORKERS} workers; {args.learners} learners, "
            f"{args.duration:.0f} s")  # fmt: skip
        start = record.start = time.monotonic()
        deadline = start + args.duration
        with (RESULTS / "grades.log").open("w") as grades_log:
            learners = [
                Learner(name, cookie, server.port, deadline, record, grades_log, PASSWORD)
                for name, cookie in cookies.items()
            ]
            for learner in learners:
                learner.start()
            inject_faults(server.process.pid, server.port, start, deadline, faults)
            for learner in learners:
                learner.join(timeout=max(1.0, deadline + 25 - time.monotonic()))
        stuck = [learner.name for learner in learners if learner.is_alive()]
    finally:
        server.stop(timeout=15)

    facts = checks.database_facts(DB_NAME)
    return checks.report(
        args, record, faults, facts, stuck, time.monotonic() - began, results=RESULTS
    )
