"""Migration 0012 drops the foreign keys' indexes that another index leads with, and
nothing else: the foreign keys stay, rows stay, and it can be undone."""

import pytest
from django.db import connection

from quizzes.models import Answer
from quizzes.tests.factories import AnswerFactory
from quizzes.tests.migrations import migrate_to, migrated_back_to

BEFORE = [
    ("quizzes", "0011_question_status_topic_id"),
    ("accounts", "0004_profile_schedule_settings"),
]
AFTER = [
    ("quizzes", "0012_drop_indexes_led_by_others"),
    ("accounts", "0005_drop_activity_user_index"),
]
TABLES = {
    "quizzes_answer": {"user_id", "session_id", "question_id"},
    "quizzes_card": {"user_id"},
    "quizzes_keypointmemory": {"user_id"},
    "quizzes_practicesession": {"user_id"},
    "quizzes_sessionitem": {"session_id"},
    "quizzes_userquestion": {"user_id"},
    "accounts_dailyactivity": {"user_id"},
}


def _schema(table: str) -> tuple[set, set, set]:
    """The table's single-column plain indexes, its foreign keys' columns and the first
    column of each of its other indexes (unique ones included)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    alone = {
        c["columns"][0]
        for c in constraints.values()
        if c["index"] and not c["unique"] and not c["primary_key"] and len(c["columns"]) == 1
    }
    foreign = {c["columns"][0] for c in constraints.values() if c["foreign_key"]}
    leading = {
        c["columns"][0]
        for c in constraints.values()
        if (c["index"] or c["unique"]) and len(c["columns"]) > 1
    }
    return alone, foreign, leading


@pytest.mark.django_db(transaction=True)
def test_only_the_indexes_go_and_come_back():
    answer = AnswerFactory()
    with migrated_back_to(BEFORE):
        for table, columns in TABLES.items():
            alone, _, _ = _schema(table)
            assert columns <= alone, table
        migrate_to(AFTER)
        for table, columns in TABLES.items():
            alone, foreign, leading = _schema(table)
            assert not columns & alone, table
            # Still constrained, and still found through an index that leads with them.
            assert columns <= foreign and columns <= leading, table
    assert Answer.objects.filter(pk=answer.pk, user=answer.user).exists()
