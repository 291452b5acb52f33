"""Data safety: migrating keeps every row, and a learner's export says what the database holds.

The migration test goes back to each app's first migration, writes rows through the historical
models (as a database made then would hold them), migrates to the latest and compares every
column both schemas share, row by row. It finds new migrations by itself.
"""

import datetime
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.export import export_user_data
from accounts.tests.factories import UserFactory
from quizzes import services
from quizzes.models import Answer, Card, Mode, PracticeSession, Report, SessionItem
from quizzes.tests.factories import QuestionFactory, TopicFactory

APPS = ("quizzes", "accounts")
WHEN = datetime.datetime(2030, 3, 4, 10, 30, tzinfo=datetime.UTC)


def _first_migrations(executor) -> list[tuple[str, str]]:
    return [node for app in APPS for node in executor.loader.graph.root_nodes(app)]


def _latest(executor) -> list[tuple[str, str]]:
    return [node for node in executor.loader.graph.leaf_nodes() if node[0] in APPS]


def _populate(apps) -> None:
    """Rows of every model, written as the first schema defines them."""
    User = apps.get_model("auth", "User")
    Topic = apps.get_model("quizzes", "Topic")
    Question = apps.get_model("quizzes", "Question")
    KeyPoint = apps.get_model("quizzes", "KeyPoint")
    PracticeSession = apps.get_model("quizzes", "PracticeSession")
    SessionItem = apps.get_model("quizzes", "SessionItem")
    Answer = apps.get_model("quizzes", "Answer")
    Card = apps.get_model("quizzes", "Card")
    Report = apps.get_model("quizzes", "Report")
    Profile = apps.get_model("accounts", "Profile")
    DailyActivity = apps.get_model("accounts", "DailyActivity")

    learner = User.objects.create(username="old-timer", email="old@example.com", password="!")
    editor = User.objects.create(username="old-editor", is_staff=True, password="!")
    Profile.objects.create(
        user=learner,
        display_name="Zoë — ünïcödé 🤖",
        time_zone="Europe/Paris",
        interview_date=datetime.date(2031, 1, 2),
        daily_goal=25,
    )
    topic = Topic.objects.create(name="Attention", slug="attention", description="Q, K, V", order=3)
    questions = []
    for number in range(3):
        question = Question.objects.create(
            key=f"attention-{number}",
            topic=topic,
            prompt=f"Why scale by $\\sqrt{{d_k}}$? ({number})",
            answer="Keeps the softmax out of saturation.\n\n```python\nq @ k.T / d**0.5\n```",
            difficulty="hard",
            tags="attention, transformers",
            status="published",
            source="Vaswani et al. 2017",
            created_by=editor,
            updated_by=editor,
        )
        questions.append(question)
        for order in range(2):
            KeyPoint.objects.create(question=question, text=f"Point {order}", order=order)
    session = PracticeSession.objects.create(
        user=learner,
        mode="due",
        size=3,
        timer_seconds=120,
        finished_at=WHEN,
        answered=3,
        recalled=2,
    )
    session.topics.add(topic)
    for position, question in enumerate(questions):
        SessionItem.objects.create(
            session=session,
            question=question,
            position=position,
            revealed_at=WHEN,
            typed_answer=f"typed {position} ✓",
        )
        points = list(KeyPoint.objects.filter(question=question).values_list("pk", flat=True))
        Answer.objects.create(
            user=learner,
            session=session,
            question=question,
            grade=1 + position,
            key_points_ticked=points[:position],
            typed_answer=f"typed {position} ✓",
            seconds_to_reveal=30 + position,
            seconds_to_grade=5,
            answered_at=WHEN + datetime.timedelta(minutes=position),
        )
        Card.objects.create(
            user=learner,
            question=question,
            state=2,
            step=None,
            stability=3.25 + position,
            difficulty=5.5,
            due=WHEN + datetime.timedelta(days=4),
            last_review=WHEN,
            reviews=1,
            lapses=int(position == 0),
        )
    Report.objects.create(
        question=questions[0],
        user=learner,
        reason="wrong",
        note="The square root is of d_k, not d_model.",
        resolved_at=WHEN,
        resolved_by=editor,
    )
    DailyActivity.objects.create(user=learner, day=WHEN.date(), answers=3, recalled=2)


def _rows(apps, shared: dict[str, set[str]]) -> dict[str, list[tuple]]:
    """Every row of every model, as the values of the columns both schemas have."""
    rows = {}
    for label, columns in shared.items():
        model = apps.get_model(label)
        names = sorted(columns)
        rows[label] = sorted(
            (tuple(str(value) for value in row) for row in model.objects.values_list(*names)),
        )
    return rows


def _columns(apps) -> dict[str, set[str]]:
    return {
        model._meta.label: {field.attname for field in model._meta.concrete_fields}
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.django_db(transaction=True)
def test_migrating_from_the_first_schema_keeps_every_row():
    executor = MigrationExecutor(connection)
    first, latest = _first_migrations(executor), _latest(executor)
    assert len(first) == len(latest) == len(APPS)
    try:
        executor.migrate(first)
        old_apps = MigrationExecutor(connection).loader.project_state(first).apps
        _populate(old_apps)
        old_columns = _columns(old_apps)

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        new_apps = executor.loader.project_state(latest).apps
        new_columns = _columns(new_apps)
        shared = {
            label: old_columns[label] & new_columns[label]
            for label in old_columns
            if label in new_columns
        }
        assert set(shared) == set(old_columns), "a model was dropped"
        before, after = _rows(old_apps, shared), _rows(new_apps, shared)
    finally:
        # Whatever happened, leave the schema as the other tests expect it: every app's,
        # as going back to quizzes' first migration also undid the apps that depend on it.
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )

    for label in shared:
        assert after[label] == before[label], f"{label} changed in migration"
    counts = {label: len(rows) for label, rows in after.items()}
    assert counts["quizzes.Answer"] == 3 and counts["quizzes.KeyPoint"] == 6
    assert counts["accounts.Profile"] == 1 and counts["quizzes.Report"] == 1
    session = new_apps.get_model("quizzes", "PracticeSession").objects.get()
    assert list(session.topics.values_list("slug", flat=True)) == ["attention"]


# The export ----------------------------------------------------------------------------------


@pytest.fixture
def practised(learner, other_learner):
    """ada: one finished session and one in progress, a report; grace practised too."""
    topic = TopicFactory(name="Optimisation", slug="optimisation")
    QuestionFactory.create_batch(5, topic=topic)
    for user in (learner, other_learner):
        finished = services.start_session(
            user=user, mode=Mode.RANDOM, size=3, topics=[topic], now=WHEN
        ).session
        for position, item in enumerate(finished.items.select_related("question")):
            services.reveal(
                item=item, typed_answer=f"{user.username} typed {position} — ✓", now=WHEN
            )
            finished.refresh_from_db()
            points = list(item.question.key_points.values_list("pk", flat=True))
            services.record_grade(
                session=finished,
                item=item,
                grade=[1, 3, 4][position],
                key_point_ids=points[: position + 1],
                now=WHEN + datetime.timedelta(seconds=40 * (position + 1)),
            )
        services.start_session(user=user, mode=Mode.NEW, size=2, now=WHEN)
        question = finished.items.first().question
        services.report_question(user=user, question=question, reason="unclear", note="Which?")
    return learner


def test_the_export_holds_what_the_database_holds(practised, other_learner):
    learner = practised
    exported = json.loads(json.dumps(export_user_data(learner)))  # survives being a file

    assert exported["user"]["username"] == learner.username
    assert (
        len(exported["practice_sessions"]) == PracticeSession.objects.filter(user=learner).count()
    )
    assert sum(len(s["items"]) for s in exported["practice_sessions"]) == (
        SessionItem.objects.filter(session__user=learner).count()
    )
    assert len(exported["answers"]) == Answer.objects.filter(user=learner).count() == 3
    assert len(exported["cards"]) == Card.objects.filter(user=learner).count() == 3
    assert len(exported["reports"]) == Report.objects.filter(user=learner).count() == 1
    assert sum(day["answers"] for day in exported["daily_activity"]) == 3

    answer = Answer.objects.filter(user=learner).select_related("question").order_by("pk")[2]
    row = next(
        a
        for a in exported["answers"]
        if a["question"] == answer.question.key and a["session"] == str(answer.session_id)
    )
    texts = dict(answer.question.key_points.values_list("pk", "text"))
    assert row == {
        "question": answer.question.key,
        "session": str(answer.session_id),
        "grade": answer.get_grade_display(),
        "grade_number": answer.grade,
        "key_points_ticked": [texts[pk] for pk in answer.key_points_ticked],
        "typed_answer": answer.typed_answer,
        "seconds_to_reveal": answer.seconds_to_reveal,
        "seconds_to_grade": answer.seconds_to_grade,
        "answered_at": answer.answered_at.isoformat(),
    }
    assert len(row["key_points_ticked"]) == 3 and row["typed_answer"].endswith("— ✓")

    # Nothing of grace's is in ada's export.
    text = json.dumps(exported, ensure_ascii=False)
    assert other_learner.username not in text
    for session_id in PracticeSession.objects.filter(user=other_learner).values_list(
        "pk", flat=True
    ):
        assert str(session_id) not in text


def test_an_export_of_a_learner_with_nothing_is_empty_but_complete(db):
    exported = export_user_data(UserFactory(username="newcomer"))
    for key in ("practice_sessions", "answers", "cards", "daily_activity", "reports"):
        assert exported[key] == []
    assert exported["profile"]["time_zone"] == "UTC"
