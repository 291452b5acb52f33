"""The practice card's hot read: a learner's session with its current and next items.

Every grade and every question page starts with it. It is one statement, written once from
the models' fields, and its rows become model instances as the ORM makes them (quizzes.rows):
compiling this four-table join through the ORM on each request cost more CPU than the rest
of the read (issue #22).
"""

from functools import cache

from django.db import connection

from accounts.models import Profile
from prepsite.rows import Columns, split
from quizzes import grade_sql
from quizzes.models import Card, PracticeSession, Question, SessionItem, Topic

# The models of one row, in column order. The question's search vector is never shown.
_COLUMNS = (
    Columns(SessionItem, "i"),
    Columns(PracticeSession, "s"),
    Columns(Question, "q", exclude=("search_vector",)),
    Columns(Topic, "t"),
)
_WIDTH = sum(len(part.fields) for part in _COLUMNS)  # then, when grading, grade_sql.Read's


@cache
def _statement(vendor: str, grading: bool) -> str:
    # By backend: its quoting of the columns' names.
    quote = connection.ops.quote_name
    columns = ", ".join(part.sql() for part in _COLUMNS)
    joins = ""
    if grading:
        # What the grade reads first (grade_sql.Read): the learner's profile, and their
        # card for the current item's question, with the rows' versions.
        columns += f", {grade_sql.read_columns()}"
        # LATERAL with a LIMIT (kept as a subquery): the card by its (user, question)
        # index, not a hash of all the learner's cards (5,000 for some), which the
        # planner chose for a plain join.
        joins = (
            f"LEFT JOIN {quote(Profile._meta.db_table)} p ON p.user_id = s.user_id "
            f"LEFT JOIN LATERAL (SELECT *, xmin FROM {quote(Card._meta.db_table)} "
            "WHERE user_id = s.user_id AND question_id = i.question_id "
            "AND i.position = s.answered LIMIT 1) c ON TRUE "
        )
    return (
        f"SELECT {columns} "
        f"FROM {SessionItem._meta.db_table} i "
        f"JOIN {PracticeSession._meta.db_table} s ON s.id = i.session_id "
        f"JOIN {Question._meta.db_table} q ON q.id = i.question_id "
        f"JOIN {Topic._meta.db_table} t ON t.id = q.topic_id "
        f"{joins}"
        "WHERE i.session_id = %s AND s.user_id = %s "
        "AND i.position >= s.answered AND i.position <= s.answered + 1 "
        "ORDER BY i.position"
    )


def current_and_next(
    *, session_id, user, grading: bool = False
) -> tuple[PracticeSession | None, dict[int, SessionItem]]:
    """The user's session `session_id` and its items at the current position and the one
    after, by position, each with its question and topic, in one query. (None, {}) when the
    session is not theirs, or has no current item (it is finished): ask for it alone then.

    `grading` (PostgreSQL): the current item also gets `grade_read`, the learner's profile
    and card for its question as a grade reads them first (quizzes.grading), in the same
    query."""
    grading = grading and connection.vendor == "postgresql"
    pk = PracticeSession._meta.pk.get_db_prep_value(session_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor, grading), [pk, user.pk])
        rows = cursor.fetchall()
    session, items = None, {}
    for row in rows:
        item, row_session, question, topic = split(row[:_WIDTH], *_COLUMNS)
        session = session or row_session  # one object for both rows
        question.topic = topic
        item.question = question
        item.session = session
        if grading and item.position == session.answered:
            item.grade_read = grade_sql.read_from(row[_WIDTH:])
        items[item.position] = item
    return session, items
