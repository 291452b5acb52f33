"""Measurements made inside one Django process against a benchmark database.

Run by bench.run as `python -m bench.inprocess TASK --out FILE` with the same
production settings as the server (see bench.infra.app_env). Requests go
through django.test.Client, so every middleware runs; CaptureQueriesContext
counts the queries of one request, and timings are medians of repeated runs
with no other load on the server.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    # Started as a server's worker starts: Django set up, the URLconf loaded and what
    # start-up made frozen for the garbage collector.
    import prepsite.wsgi  # noqa: F401


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _client(user=None):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        client.force_login(user)
    return client


class GradeLoop:
    """A learner grading the current question and getting the next one, as htmx asks."""

    def __init__(self, client):
        self.client = client
        self.path = None
        self.position = 0

    def start(self) -> None:
        response = self.client.post("/practice/", {"mode": "random", "size": 20})
        assert response.status_code == 302, response.status_code
        self.path = response["Location"]
        self.position = 0

    def prepare(self) -> None:
        # A new session before the last question: its grade redirects to the summary.
        if self.path is None or self.position >= 19:
            self.start()

    def __call__(self) -> None:
        response = self.client.post(
            f"{self.path}grade/",
            {"position": self.position, "grade": 3},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and "HX-Redirect" not in response, response
        self.position += 1


class RevealLoop(GradeLoop):
    """A learner typing an answer and revealing the reference; the grade that moves on to
    the next question is sent, untimed, before the next reveal."""

    revealed = False

    def prepare(self) -> None:
        if self.revealed:
            super().__call__()
            self.revealed = False
        super().prepare()

    def __call__(self) -> None:
        from bench import scenes

        response = self.client.post(
            f"{self.path}reveal/",
            {"position": self.position, "typed_answer": scenes.TYPED_ANSWER},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and b'name="grade"' in response.content, response
        self.revealed = True


def _request(client, method: str, path: str, data=None, expect: int = 200):
    def send() -> None:
        response = getattr(client, method)(path, data or {})
        assert response.status_code == expect, (path, response.status_code)

    return send


# In-process learners that no load phase drives.
PLAIN = "learner-0998"  # starts sessions with nothing chosen
PLANNED = "learner-0997"  # with daily limits and an interview plan set
INTERVIEWER = "learner-0996"  # a running and a finished mock interview


def _endpoints(heavy: str, learner: str) -> dict:
    """The benchmark's endpoints as in-process callables (same names as the load phases)."""
    from bench import scenes

    learner_client = _client(_user(learner))
    interviewer = _client(_user(INTERVIEWER))
    scenes.set_plan(PLAIN, planned=False)
    scenes.set_plan(PLANNED, planned=True)
    due = {"mode": "due", "size": 20}
    return {
        "floor": _request(_client(), "get", "/bench/floor"),
        "write_floor": _request(learner_client, "post", "/bench/write-floor"),
        "grade": GradeLoop(_client(_user(learner))),
        "reveal": RevealLoop(_client(_user(learner))),
        "question_page": _request(learner_client, "get", scenes.practice_session_path(learner)),
        "dashboard": _request(_client(_user(heavy)), "get", "/dashboard/"),
        "practice_page": _request(learner_client, "get", "/practice/"),
        "practice_start": _request(
            learner_client, "post", "/practice/", {"mode": "random", "size": 20}, expect=302
        ),
        "start_due": _request(_client(_user(PLAIN)), "post", "/practice/", due, expect=302),
        "start_planned": _request(_client(_user(PLANNED)), "post", "/practice/", due, expect=302),
        # Search as you type: a word in every generated question, and a rarer pair.
        "library_search": _request(learner_client, "get", "/questions/", {"q": "correction"}),
        "library_search_narrow": _request(learner_client, "get", "/questions/", {"q": "reason 12"}),
        "library_question": _request(learner_client, "get", scenes.library_question_paths()[20]),
        "interview_question": _request(
            interviewer, "get", scenes.running_interview_path(INTERVIEWER)
        ),
        "interview_report": _request(
            interviewer, "get", scenes.finished_interview_path(INTERVIEWER)
        ),
    }


def measure(send, runs: int, warmup: int = 2) -> dict:
    """Median and p95 wall time of `send`, and the queries of one more call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.stats import percentile

    prepare = getattr(send, "prepare", lambda: None)
    for _ in range(warmup):
        prepare()
        send()
    times = []
    cpu = []
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        started_cpu = time.process_time()
        send()
        cpu.append((time.process_time() - started_cpu) * 1000)
        times.append((time.perf_counter() - started) * 1000)
    prepare()
    with CaptureQueriesContext(connection) as captured:
        send()
    ordered = sorted(times)
    return {
        "runs": runs,
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        # This process's CPU time alone: steadier than wall time on a shared machine.
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 2),
        "sql": [q["sql"][:300] for q in captured.captured_queries],
    }


def task_warm(args) -> dict:
    """Store every published question rendered, as a server in use has them (make_bench_data
    writes rows with COPY, which bypasses Question.save), and render each once."""
    from quizzes.models import Question
    from quizzes.models.questions import RENDERED_FIELDS

    started = time.perf_counter()
    count, stale = 0, []
    for question in Question.objects.published().iterator(chunk_size=1000):
        before = question.rendered_from
        question.fill_rendered()
        if question.rendered_from != before:
            stale.append(question)
        question.prompt_html  # noqa: B018 - reading checks the stored HTML
        count += 1
    Question.objects.bulk_update(stale, RENDERED_FIELDS, batch_size=1000)
    return {
        "questions": count,
        "stored": len(stale),
        "seconds": round(time.perf_counter() - started, 1),
    }


def task_endpoints(args) -> dict:
    endpoints = _endpoints(args.heavy, args.learner)
    return {name: measure(send, args.runs) for name, send in endpoints.items()}


def task_dashboard_growth(args) -> list[dict]:
    from accounts.models import DailyActivity
    from quizzes.models import Answer, Card

    rows = []
    for username in args.users:
        user = _user(username)
        result = measure(_request(_client(user), "get", "/dashboard/"), args.runs)
        result.update(
            username=username,
            answers=Answer.objects.filter(user=user).count(),
            cards=Card.objects.filter(user=user).count(),
            activity_days=DailyActivity.objects.filter(user=user).count(),
        )
        rows.append(result)
    return rows


def _bank_learner():
    from django.contrib.auth import get_user_model

    from accounts.models import Profile

    user, created = get_user_model().objects.get_or_create(username="bank-learner")
    if created:
        user.set_unusable_password()
        user.save()
        Profile.objects.create(user=user)
    return user


def task_start_growth(args) -> list[dict]:
    from quizzes.models import Topic

    client = _client(_bank_learner())
    rows = []
    for topic in Topic.objects.filter(slug__startswith="bank-").order_by("order"):
        candidates = topic.questions.published().count()
        for mode in args.modes:
            data = {"mode": mode, "size": 20, "topics": [topic.pk]}
            result = measure(_request(client, "post", "/practice/", data, expect=302), args.runs)
            result.update(bank=candidates, topic=topic.slug, mode=mode)
            rows.append(result)
    return rows


def task_profile(args) -> dict:
    """pyinstrument over repeated calls of one endpoint (or a session start on a bank)."""
    from pyinstrument import Profiler

    if args.endpoint == "bank_start":
        from quizzes.models import Topic

        topic = Topic.objects.get(slug=args.topic)
        send = _request(
            _client(_bank_learner()),
            "post",
            "/practice/",
            {"mode": args.mode, "size": 20, "topics": [topic.pk]},
            expect=302,
        )
    elif args.endpoint == "dashboard":
        send = _request(_client(_user(args.heavy)), "get", "/dashboard/")
    else:
        send = _endpoints(args.heavy, args.learner)[args.endpoint]
    prepare = getattr(send, "prepare", lambda: None)
    for _ in range(3):
        prepare()
        send()
    profiler = Profiler(interval=0.0005)
    for _ in range(args.runs):
        prepare()
        profiler.start()
        send()
        profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    # The tree hides library frames (the template engine's among them); the functions
    # with the most time of their own, library or not, say where that time went.
    flat = profiler.output_text(unicode=True, color=False, flat=True, time="percent_of_total")
    own = "\n".join(flat.splitlines()[:45])
    Path(args.profile_out).write_text(f"{text}\nSelf time by function (top 40):\n{own}\n")
    return {"endpoint": args.endpoint, "runs": args.runs, "file": args.profile_out}


def task_prepare(args) -> dict:
    """The rows the load phases need (bench.scenes), for the learners each phase drives."""
    from bench import scenes

    spec = json.loads(Path(args.spec).read_text())
    for username in spec["plain"]:
        scenes.set_plan(username, planned=False)
    for username in spec["planned"]:
        scenes.set_plan(username, planned=True)
    return {
        "practice": {u: scenes.practice_session_path(u) for u in spec["practice"]},
        "interview": {u: scenes.running_interview_path(u) for u in spec["interview"]},
        "report": {u: scenes.finished_interview_path(u) for u in spec["interview"]},
        "library_questions": scenes.library_question_paths(),
    }


def task_reminders(args) -> dict:
    from bench import background

    return background.reminder_selection(args.runs)


def task_optimiser(args) -> dict:
    from bench import background

    return background.optimiser(args.heavy)


TASKS = {
    "warm": task_warm,
    "prepare": task_prepare,
    "reminders": task_reminders,
    "optimiser": task_optimiser,
    "endpoints": task_endpoints,
    "dashboard-growth": task_dashboard_growth,
    "start-growth": task_start_growth,
    "profile": task_profile,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess")
    parser.add_argument("task", choices=TASKS)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--heavy", default="heavy")
    parser.add_argument("--learner", default="learner-0999")
    parser.add_argument("--users", nargs="*", default=[])
    parser.add_argument("--modes", nargs="*", default=["random", "due"])
    parser.add_argument("--endpoint", default="grade")
    parser.add_argument("--topic", default="bank-10000")
    parser.add_argument("--mode", default="due")
    parser.add_argument("--profile-out", default="profile.txt")
    parser.add_argument("--spec", help="prepare: the JSON file naming each phase's learners.")
    args = parser.parse_args(argv)
    _setup()
    result = TASKS[args.task](args)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
