"""`make soak`'s own code: which failures a fault explains, the timeline, the learners'
command and the server's settings. The soak itself (two minutes, a PostgreSQL restart)
is not part of the test run."""

import json
from argparse import Namespace
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from bench.soak import checks
from bench.soak.client import Outcome, Record
from bench.soak.faults import Faults
from bench.soak.run import server_env


def test_a_connection_dropped_while_its_worker_was_killed_is_explained():
    faults = Faults(kills=[(10.0, 123)])
    in_flight = Outcome("grade", start=9.95, end=10.02, status=None, error="RemoteDisconnected")
    later = Outcome("grade", start=12.0, end=12.1, status=None, error="RemoteDisconnected")
    assert checks.explained(in_flight, faults) == "worker killed"
    assert checks.explained(later, faults) is None


def test_a_5xx_while_the_database_was_away_is_explained_and_not_after():
    faults = Faults(db_down=20.0, db_back=22.0, healthy_sent=22.5, healthy_answered=23.0)
    during = Outcome("grade", start=21.0, end=21.5, status=500)
    after = Outcome("grade", start=24.0, end=24.1, status=500)
    crashed = Outcome("learner crashed", start=10.0, end=10.0, status=None, error="KeyError")
    assert checks.explained(during, faults) == "database restart"
    assert checks.explained(after, faults) is None
    assert checks.explained(crashed, Faults(kills=[(10.0, 1)])) is None


def test_timeline_counts_requests_and_failures_per_bucket():
    outcomes = [
        Outcome("card", 0.0, 1.0, 200),
        Outcome("grade", 1.0, 4.9, 500),
        Outcome("grade", 5.0, 6.0, None, "ConnectionResetError"),
    ]
    assert checks.timeline(outcomes, start=0.0) == [
        "0-5 s: 2 done, 1 failed",
        "5-10 s: 1 done, 1 failed",
    ]


def test_report_fails_when_an_acknowledged_grade_is_missing(tmp_path, capsys):
    record = Record(start=0.0)
    record.outcomes.append(Outcome("grade", 1.0, 1.1, 200))
    record.acknowledged.append(("s1", 0, 1.1))
    faults = Faults(db_down=20.0, db_back=21.0, healthy_sent=21.5, healthy_answered=22.0)
    faults.kills = [(10.0, 1), (20.0, 2), (30.0, 3), (40.0, 4), (50.0, 5)]
    facts = {
        "graded": {},
        "counters_off": 0,
        "answers": 0,
        "activity_answers": 0,
        "points_off": 0,
        "points_counted": 3,
    }
    args = Namespace(learners=1, duration=60.0)
    assert checks.report(args, record, faults, facts, [], 61.0, results=tmp_path) == 1
    assert (
        "FAIL  every acknowledged grade is in the database exactly once" in capsys.readouterr().out
    )
    facts["graded"] = {("s1", 0): 1}
    facts["answers"] = facts["activity_answers"] = 1
    assert checks.report(args, record, faults, facts, [], 61.0, results=tmp_path) == 0
    assert json.loads((tmp_path / "result.json").read_text())["grades_acknowledged"] == 1
    capsys.readouterr()
    facts["points_off"] = 1  # a memory of a key point counted twice, or not at all
    assert checks.report(args, record, faults, facts, [], 61.0, results=tmp_path) == 1
    assert (
        "FAIL  key-point memories count every grade that counts them, once"
        in capsys.readouterr().out
    )


def test_the_soak_server_runs_behind_a_tls_proxy_without_the_bench_routes():
    env = server_env()
    assert env["DEBUG"] == "0"
    assert env["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    assert env["REDIS_URL"].endswith("/13")
    assert "PREPSITE_BENCH_ROUTES" not in env
    assert "DB_CONN_MAX_AGE" not in env  # production's, not the benchmark's
    assert env["DATABASE_URL"].endswith("/prepsite_soak")


def test_make_soak_learners_logs_in_all_but_the_form_logins(db, client):
    out = StringIO()
    call_command(
        "make_soak_learners", "--learners", "4", "--form-logins", "1", "--password", "pw 7 x",
        stdout=out,
    )  # fmt: skip
    made = json.loads(out.getvalue().strip().splitlines()[-1])
    assert made["users"] == ["soak000", "soak001", "soak002", "soak003"]
    assert sorted(made["cookies"]) == ["soak001", "soak002", "soak003"]
    users = get_user_model().objects.filter(username__startswith="soak")
    assert users.count() == 4 and all(user.profile for user in users)
    assert users.get(username="soak000").check_password("pw 7 x")
    client.cookies["sessionid"] = made["cookies"]["soak002"]
    assert client.get("/practice/").status_code == 200
    client.cookies.clear()
    assert client.get("/practice/").status_code == 302  # to the log-in page
