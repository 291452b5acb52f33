"""Shared by the planner tests: the fixed instant they run at, and grading a whole session."""

from datetime import UTC, datetime

from quizzes import services as practice

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def grade_all(started, grade: int, now: datetime):
    session = started.session
    for item in session.items.order_by("position"):
        practice.record_grade(session=session, item=item, grade=grade, key_point_ids=[], now=now)
        session.refresh_from_db()
