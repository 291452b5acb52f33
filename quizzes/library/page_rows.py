"""A library page's rows: its questions by id, each with its topic and the learner's state
of it.

Every library page and every search as you type reads them. It is one statement, written
once per process from the models' fields (prepsite.rows), with what
queries.with_learner_state gives a queryset: building and compiling that through the ORM was
half of a search's CPU (issue #22). tests/library/test_page_rows.py checks the two agree.
"""

from functools import cache

from django.db import connection

from prepsite.rows import Columns, split
from quizzes.models import Answer, Card, Question, Status, Topic, UserQuestion

# What a row shows (the template, badges, excerpt_html): not the question's rendered HTML
# nor its search vector, which were most of the bytes read.
QUESTION_FIELDS = ("key", "prompt", "answer", "difficulty")
TOPIC_FIELDS = ("slug", "name")

_QUESTION = Columns(Question, "q", only=(*QUESTION_FIELDS, "topic_id"))
_TOPIC = Columns(Topic, "t", only=TOPIC_FIELDS)
_CARD = Columns(Card, "c", only=("state", "due", "stability"))


@cache
def _statement(vendor: str, count: int, learner: bool) -> str:
    # By backend (its quoting) and by the number of ids, at most a page's.
    quote = connection.ops.quote_name
    columns = [_QUESTION.sql(), _TOPIC.sql()]
    joins = ""
    if learner:
        columns += [
            _CARD.sql(),
            "COALESCE(m.bookmarked, FALSE)",
            "COALESCE(m.suspended, FALSE)",
            # Their last grade, by the (user, question, time) index.
            f"(SELECT a.grade FROM {quote(Answer._meta.db_table)} a "
            "WHERE a.user_id = %s AND a.question_id = q.id "
            "ORDER BY a.answered_at DESC LIMIT 1)",
        ]
        joins = (
            f"LEFT JOIN {quote(Card._meta.db_table)} c "
            "ON c.question_id = q.id AND c.user_id = %s "
            f"LEFT JOIN {quote(UserQuestion._meta.db_table)} m "
            "ON m.question_id = q.id AND m.user_id = %s "
        )
    return (
        f"SELECT {', '.join(columns)} "
        f"FROM {quote(Question._meta.db_table)} q "
        f"JOIN {quote(Topic._meta.db_table)} t ON t.id = q.topic_id "
        f"{joins}"
        f"WHERE q.status = %s AND q.id IN ({', '.join(['%s'] * count)})"
    )


def listed(ids: list[int], *, user) -> dict:
    """The published questions among `ids`, by id, each with its topic loaded and, for a
    learner, `card_state`, `card_due`, `card_stability`, `bookmarked`, `suspended` and
    `last_grade`, as with_learner_state annotates them."""
    if not ids:
        return {}
    learner = user.is_authenticated
    params = []
    if learner:
        params.append(user.pk)  # the last grade's subquery
    if learner:
        params += [user.pk, user.pk]  # the card's and the marks' joins
    params += [Status.PUBLISHED, *ids]
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor, len(ids), learner), params)
        rows = cursor.fetchall()
    width = len(_QUESTION.fields) + len(_TOPIC.fields)
    found = {}
    for row in rows:
        question, topic = split(row[:width], _QUESTION, _TOPIC)
        question.topic = topic
        rest = row[width:]
        if learner:
            card = _CARD.instance(rest[: len(_CARD.fields)])
            bookmarked, suspended, last_grade = rest[len(_CARD.fields) : len(_CARD.fields) + 3]
            question.card_state = card and card.state
            question.card_due = card and card.due
            question.card_stability = card and card.stability
            question.bookmarked = bool(bookmarked)  # SQLite gives 0 or 1
            question.suspended = bool(suspended)
            question.last_grade = last_grade
        found[question.pk] = question
    return found
