"""The benchmark's own code: the data generator on a tiny size, and the summaries.

`make bench` itself is not part of `make test`; these check that what it builds
is consistent and that what it reports is computed right.
"""

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from bench import report
from bench.data import PASSWORD
from bench.data.generator import KEY_POINTS_PER_QUESTION, TOPIC_NAMES
from bench.data.writer import Table, copy_line
from bench.stats import Record, parse_log, percentile, summarise
from quizzes.models import Answer, Card, KeyPoint, PracticeSession, Question, Topic

TINY = [
    "--learners", "3", "--questions", "20", "--answers", "200", "--heavy-answers", "100",
    "--extra-learner", "heavy-small=30",
]  # fmt: skip


@pytest.fixture
def tiny(db):
    out = StringIO()
    call_command("make_bench_data", *TINY, stdout=out)
    return out.getvalue()


def test_builds_the_requested_counts(tiny):
    users = get_user_model().objects
    assert set(users.values_list("username", flat=True)) == {
        "heavy",
        "heavy-small",
        "learner-0001",
        "learner-0002",
    }
    assert Question.objects.published().count() == 20
    assert KeyPoint.objects.count() == 20 * KEY_POINTS_PER_QUESTION
    assert Topic.objects.count() == len(TOPIC_NAMES)
    assert Answer.objects.count() == 230
    per_user = dict(Answer.objects.values_list("user__username").annotate(n=Count("id")))
    # The heavy learner's answers are part of --answers; the rest is shared out.
    assert per_user == {"heavy": 100, "heavy-small": 30, "learner-0001": 50, "learner-0002": 50}
    assert Profile.objects.count() == 4
    assert Profile.objects.get(user__username="heavy").time_zone == "Europe/London"
    assert "230 answers" in tiny


def test_every_learner_logs_in_with_the_one_password(tiny):
    heavy = get_user_model().objects.get(username="heavy")
    assert heavy.check_password(PASSWORD)
    hashes = set(get_user_model().objects.values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once


def test_answers_spread_over_three_years_in_order(tiny):
    times = list(
        Answer.objects.filter(user__username="heavy").values_list("answered_at", flat=True)
    )
    now = timezone.now()
    assert min(times) >= now - timedelta(days=3 * 365 + 1)
    assert max(times) <= now
    assert max(times) - min(times) > timedelta(days=365)


def test_sessions_agree_with_their_answers(tiny):
    answers = defaultdict(list)
    for session_id, question_id, grade, user_id in Answer.objects.values_list(
        "session_id", "question_id", "grade", "user_id"
    ):
        answers[session_id].append((question_id, grade, user_id))
    sessions = list(PracticeSession.objects.all())
    assert sessions and len(sessions) == len(answers)
    for session in sessions:
        rows = answers[session.pk]
        assert session.is_finished
        assert session.size == session.answered == len(rows)
        assert session.recalled == sum(grade > 1 for _, grade, _ in rows)
        assert len({question for question, _, _ in rows}) == len(rows)  # distinct questions
        assert {user for _, _, user in rows} == {session.user_id}


def test_every_answer_has_its_card(tiny):
    expected = {
        (row["user_id"], row["question_id"]): row
        for row in Answer.objects.values("user_id", "question_id").annotate(
            reviews=Count("id"),
            lapses=Count("id", filter=Q(grade=1)),
            last=Max("answered_at"),
        )
    }
    cards = {(card.user_id, card.question_id): card for card in Card.objects.all()}
    assert cards.keys() == expected.keys()
    for key, card in cards.items():
        assert card.reviews == expected[key]["reviews"]
        assert card.lapses == expected[key]["lapses"]
        assert card.last_review == expected[key]["last"]
        assert card.state == 2
        assert card.stability > 0 and 1 <= card.difficulty <= 10
        assert card.due > card.last_review


def test_daily_activity_is_the_roll_up_of_the_answers(tiny):
    zones = {p.user_id: p.zone for p in Profile.objects.all()}
    expected = Counter()
    recalled = Counter()
    for user_id, answered_at, grade in Answer.objects.values_list(
        "user_id", "answered_at", "grade"
    ):
        day = timezone.localtime(answered_at, zones[user_id]).date()
        expected[user_id, day] += 1
        recalled[user_id, day] += grade > 1
    rows = {(a.user_id, a.day): a for a in DailyActivity.objects.all()}
    assert rows.keys() == expected.keys()
    for key, row in rows.items():
        assert (row.answers, row.recalled) == (expected[key], recalled[key])
    totals = DailyActivity.objects.aggregate(answers=Sum("answers"))
    assert totals["answers"] == Answer.objects.count()


def test_foreign_keys_hold(tiny):
    # On SQLite the keys are enforced at the end of each transaction: check them now.
    connection.check_constraints()
    assert not Answer.objects.exclude(session__user=F("user")).exists()


def test_refuses_a_database_that_has_bench_data(tiny):
    with pytest.raises(CommandError, match="exist already"):
        call_command("make_bench_data", *TINY, stdout=StringIO())


def test_bank_only(db):
    call_command("make_bench_data", "--bank", "15", "--bank", "4", stdout=StringIO())
    banks = {t.slug: t.questions.published().count() for t in Topic.objects.all()}
    assert banks == {"bank-15": 15, "bank-4": 4}
    assert not get_user_model().objects.exists()
    assert KeyPoint.objects.count() == 19 * KEY_POINTS_PER_QUESTION


def test_the_sequences_continue_after_the_generated_ids(tiny):
    answer = Answer.objects.first()
    session = answer.session
    created = Answer.objects.create(
        user_id=answer.user_id,
        session=session,
        question=Question.objects.exclude(pk__in=session.answers.values("question")).first()
        or Question.objects.create(
            key="extra", topic=Topic.objects.first(), prompt="p", answer="a"
        ),
        grade=3,
        answered_at=timezone.now(),
    )
    assert created.pk > Answer.objects.exclude(pk=created.pk).aggregate(top=Max("pk"))["top"]


def test_copy_text_escapes_what_copy_would_misread():
    line = copy_line("a\tb\\c\nd", None, True, [1, 2])
    assert line == "a\\tb\\\\c\\nd\t\\N\tt\t[1, 2]"


@pytest.mark.django_db
def test_copy_lines_read_back_as_model_instances():
    table = Table(Topic, ("id", "name", "slug", "description", "order"))
    table.add(7, "Tabs\tand\nlines \\ here", "tabs", "", 3)
    (topic,) = table.instances(table.lines)
    assert (topic.pk, topic.name, topic.order) == (7, "Tabs\tand\nlines \\ here", 3)


# What bench.run reports


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7
    assert percentile([], 0.5) == 0


def test_summarise_splits_kinds_over_one_window():
    # Two seconds of a loop: 8 grades and 2 session starts, one of them failed.
    lines = [f"grade 200 {1000 * (i + 1)} {250_000 * (i + 1)}" for i in range(8)]
    lines += ["practice_start 302 5000 1000000", "practice_start !400 5000 2000000"]
    records = parse_log("\n".join(lines) + "\nbroken line\n")
    assert len(records) == 10
    summaries = summarise(records)
    assert summaries["grade"].requests == 8
    assert summaries["grade"].errors == 0
    assert summaries["practice_start"].errors == 1
    # The window starts at the first request's start (250 ms - 1 ms) and ends at 2 s.
    assert summaries["grade"].seconds == pytest.approx(1.751)
    assert summaries["grade"].rps == pytest.approx(8 / 1.751)
    assert summaries["grade"].p50_ms == 4.0
    assert summaries["grade"].p99_ms == 8.0


def test_record_ok():
    assert Record("floor", "200", 1, 2).ok
    assert not Record("floor", "!500", 1, 2).ok


def _results(
    grade_ratio,
    dashboard_p95,
    dash_small,
    dash_large,
    start_small,
    start_large,
    search=(30, 7),
    card_ratio=0.15,
    planned_p95=22.0,
):
    search_p95, queries = search
    return {
        "load": {
            "endpoints": {
                "grade": {"ratio_to_floor": grade_ratio},
                "dashboard": {"p95_ms": dashboard_p95},
                "library_search": {"p95_ms": search_p95},
                "library_question": {"p95_ms": search_p95},
                "question_page": {"ratio_to_floor_by_cpu": card_ratio, "ratio_to_floor": 0.1},
                "start_due": {"p95_ms": 20.0},
                "start_planned": {"p95_ms": planned_p95},
            }
        },
        "in_process": {
            "library_search": {"p95_ms": search_p95, "queries": queries},
            "library_search_narrow": {"p95_ms": search_p95 - 5, "queries": queries},
            "library_question": {"p95_ms": 10, "queries": queries},
        },
        "growth": {
            "dashboard": [
                {"answers": 1000, "median_ms": dash_small},
                {"answers": 100_000, "median_ms": dash_large},
            ],
            "session_start": [
                {"bank": 100, "mode": "due", "median_ms": start_small},
                {"bank": 10_000, "mode": "due", "median_ms": start_large},
            ],
        },
    }


def test_targets_met_and_missed():
    met = report.targets(_results(0.6, 80, 10, 19, 5, 9))
    assert "write floor" not in met[0]["measured"]  # not measured, not made up
    assert [t["met"] for t in met] == [True] * 9
    missed = report.targets(
        _results(0.3, 120, 10, 21, 5, 11, search=(60, 9), card_ratio=0.11, planned_p95=25.0)
    )
    assert [t["met"] for t in missed] == [False] * 9
    assert missed[4]["measured"] == "p95 60 ms in process, 60 ms under load"
    assert missed[2]["measured"] == "2.1×"
    assert missed[7]["measured"] == "11.0% by CPU per request (10.0% by requests/s)"
    assert missed[8]["measured"] == "p95 20.0 → 25.0 ms (1.25×)"


def test_readme_block_is_replaced_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# PrepSite\n\n## Performance\n\nBefore.\n\n{report.README_START}\nold\n"
        f"{report.README_END}\n\nAfter.\n"
    )
    assert report.update_readme(readme, "new figures\n")
    text = readme.read_text()
    assert "old" not in text and "new figures" in text
    assert text.startswith("# PrepSite") and text.endswith("After.\n")
    assert not report.update_readme(tmp_path / "missing.md", "x")


def test_answer_loop_is_also_compared_with_the_write_floor():
    results = _results(0.05, 80, 10, 19, 5, 9)
    results["load"]["endpoints"]["grade"]["rps"] = 200.0
    results["load"]["endpoints"]["write_floor"] = {"rps": 800.0}
    assert report.targets(results)[0]["measured"].endswith("; 25% of the write floor's")


def test_a_phase_of_two_kinds_shares_its_cpu_by_their_cost_in_process():
    from bench.run import cpu_per_request

    cpu = {"server": 0.8, "postgres": 0.2}  # one core in all
    endpoints = {
        "floor": {"rps": 1000.0, "cpu": cpu, "phase": 0},
        "reveal": {"rps": 50.0, "cpu": cpu, "phase": 1},
        "reveal_grade": {"rps": 50.0, "cpu": cpu, "phase": 1},
    }
    measured = {"floor": {"cpu_median_ms": 0.5}, "reveal": {"cpu_median_ms": 15.0}}
    measured["grade"] = {"cpu_median_ms": 5.0}
    cpu_per_request(endpoints, measured)
    # 1,000 ms of CPU a second over 50 reveals and 50 grades, three times as dear.
    assert endpoints["reveal"]["cpu_ms_per_request"] == 15.0
    assert endpoints["reveal_grade"]["cpu_ms_per_request"] == 5.0
    assert endpoints["floor"]["cpu_ms_per_request"] == 1.0
    assert endpoints["reveal"]["ratio_to_floor_by_cpu"] == round(1 / 15, 3)
    assert endpoints["reveal"]["ratio_to_floor"] == 0.05


def test_the_markdown_has_a_row_per_measured_endpoint_and_the_background_work():
    row = {"rps": 10.0, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "cpu": {}}
    results = _results(0.6, 80, 10, 19, 5, 9)
    results["load"].update(workers=2, connections=4, seconds=20, warmup=3)
    results["load"]["endpoints"] = {"question_page": row, "interview_report": row}
    results.update(
        finished_at="now",
        machine={"nproc": 2, "cpu_model": "x", "memory_gib": 1, "postgresql": "15", "wrk": "w"},
        data={"summary": "tiny"},
        targets=report.targets(results),
    )
    results["machine"]["gunicorn"] = "1"
    results["growth"].update(runs=3, dashboard=[], session_start=[])
    results["background"] = {
        "reminders": {
            "learners_with_settings": 1000, "owed": 990, "median_ms": 20.0, "p95_ms": 25.0,
            "cpu_median_ms": 10.0, "sql_ms": 9.0, "queries": 4,
        },
        "optimiser": {
            "username": "heavy", "answers": 100_000, "questions": 5000, "seconds": 3.0,
            "cpu_seconds": 2.5, "read_seconds": 1.0, "peak_rss_mib_added": 80.0,
            "error": "PanicException: bad item",
        },
    }  # fmt: skip
    text = report.markdown(results)
    assert "| `GET /practice/<id>/` | 10.0 |" in text
    assert "| `GET /interview/<id>/report/` | 10.0 |" in text
    assert "`GET /dashboard/" not in text  # not measured: no row
    assert "| every learner in their sending hour | 1,000 | 990 | 20.0 |" in text
    assert "failed: PanicException: bad item" in text


@pytest.fixture
def bench_urls():
    """The URLconf as the benchmark's server builds it (PREPSITE_BENCH_ROUTES=1)."""
    import importlib

    from django.test import override_settings
    from django.urls import clear_url_caches

    import prepsite.urls

    with override_settings(BENCH_ROUTES=True):
        clear_url_caches()
        yield importlib.reload(prepsite.urls)
    importlib.reload(prepsite.urls)  # as the settings are again
    clear_url_caches()


def test_write_floor_commits_one_row_for_a_logged_in_csrf_checked_post(bench_urls, learner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get("/bench/floor").status_code == 200
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    anonymous = client.post("/bench/write-floor", headers={"X-CSRFToken": token})
    assert anonymous.status_code == 302  # to the log-in page
    client.force_login(learner)
    assert client.post("/bench/write-floor").status_code == 403  # no CSRF token
    client.get("/practice/")
    token = client.cookies["csrftoken"].value
    response = client.post("/bench/write-floor", headers={"X-CSRFToken": token})
    assert (response.status_code, response.content) == (200, b"ok")
    assert client.get("/bench/write-floor").status_code == 405


def test_bench_routes_are_absent_by_default(client):
    assert client.get("/bench/floor").status_code == 404
    assert client.post("/bench/write-floor").status_code == 404
