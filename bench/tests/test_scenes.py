"""What `make bench` makes before its phases (bench/scenes.py) and measures in process
(bench/background.py), on a tiny data set: the app's services change, and the benchmark
would otherwise only find out in its next run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from bench import background, scenes
from reminders.models import ReminderSettings

TINY = ["--learners", "3", "--questions", "40", "--answers", "120", "--heavy-answers", "60"]


@pytest.fixture
def tiny(db):
    call_command("make_bench_data", *TINY, stdout=StringIO())


def _client(username: str) -> Client:
    client = Client()
    client.force_login(scenes.user(username))
    return client


def test_the_pages_the_load_phases_ask_for_are_there(tiny):
    client = _client("learner-0001")
    card = client.get(scenes.practice_session_path("learner-0001"))
    assert card.status_code == 200 and b'name="typed_answer"' in card.content
    interview = client.get(scenes.running_interview_path("learner-0001"))
    assert interview.status_code == 200 and b"/reveal/" in interview.content
    report = client.get(scenes.finished_interview_path("learner-0001"))
    assert report.status_code == 200
    for path in scenes.library_question_paths(5):
        assert client.get(path).status_code == 200


def test_a_revealed_answer_is_what_the_reveal_loop_expects(tiny):
    client = _client("learner-0002")
    path = scenes.practice_session_path("learner-0002")
    response = client.post(
        f"{path}reveal/",
        {"position": 0, "typed_answer": scenes.TYPED_ANSWER},
        headers={"HX-Request": "true"},
    )
    # bench/load.lua and bench.inprocess.RevealLoop look for the grade form.
    assert response.status_code == 200 and b'/grade/"' in response.content


def test_the_plan_is_set_and_cleared(tiny):
    scenes.set_plan("learner-0001", planned=True)
    profile = scenes.user("learner-0001").profile
    assert profile.interview_date and profile.new_per_day == 15 and profile.syllabus.count() == 4
    due = _client("learner-0001").post("/practice/", {"mode": "due", "size": 20})
    assert due.status_code in (200, 302)
    scenes.set_plan("learner-0001", planned=False)
    profile.refresh_from_db()
    assert profile.interview_date is None and not profile.syllabus.exists()
    assert profile.new_per_day == 20


def test_reminder_selection_is_measured_with_every_learner_owed(tiny):
    figures = background.reminder_selection(runs=2)
    assert figures["learners_with_settings"] == ReminderSettings.objects.count() == 3
    assert figures["owed"] >= 3  # a daily reminder each, and the weekly email on Mondays
    assert figures["queries"] == 4
