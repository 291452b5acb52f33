"""A grade on PostgreSQL in two statements: one that locks, one that writes (issue #22).

`lock` reads the learner's profile and their card for the question with both rows locked
(the profile first, as every writer of the roll-up does: accounts.activity). `write` then
writes the card, the answer, the day's roll-up and the session's counters in one statement
of data-modifying CTEs. Through the ORM these were five round trips and as many compiled
statements. SQLite has no writes in CTEs: quizzes.grading makes the same writes one by one.
"""

from datetime import date, datetime
from functools import cache

from django.db import connection

from accounts import activity
from accounts.models import Profile
from quizzes import rows
from quizzes.models import CARD_STATE_FIELDS, Answer, Card, PracticeSession

_PROFILE = rows.Columns(Profile, "p")
_CARD = rows.Columns(Card, "c")


@cache
def _lock_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {_PROFILE.sql()}, {_CARD.sql()} FROM (SELECT 1) AS one "
        f"LEFT JOIN (SELECT * FROM {quote(Profile._meta.db_table)} WHERE user_id = %s "
        "FOR NO KEY UPDATE) AS p ON TRUE "
        f"LEFT JOIN (SELECT * FROM {quote(Card._meta.db_table)} WHERE user_id = %s "
        "AND question_id = %s FOR UPDATE) AS c ON TRUE"
    )


def lock(*, user_id: int, question_id: int) -> tuple[Profile | None, Card | None]:
    """The learner's profile and card for the question (None where there is none), both
    locked until the grade commits."""
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(), [user_id, user_id, question_id])
        row = cursor.fetchone()
    profile, card = rows.split(row, _PROFILE, _CARD)
    return profile, card


_SESSION_UPDATE = (
    f'UPDATE "{PracticeSession._meta.db_table}" SET answered = answered + 1, '
    "recalled = recalled + %s, current_shown_at = %s, "
    "last_answer_id = (SELECT id FROM answer){finished} "
    "WHERE id = %s AND abandoned_at IS NULL RETURNING last_answer_id"
)


def write(
    *,
    card: Card | None,
    new_card: Card,
    answer: Answer,
    day: date,
    session: PracticeSession,
    finished: bool,
    now: datetime,
) -> bool:
    """Write the grade: the card (`new_card`'s scheduling fields onto the locked `card`, or
    `new_card` as the first), the answer, one more answer on `day` in the roll-up, and the
    session's counters. False, with nothing changed by the session's update, when the
    session was abandoned meanwhile: the caller rolls the rest back."""
    if card is None:
        card_sql, card_params = rows.insert(new_card)
    else:
        card_sql, card_params = rows.update(new_card, CARD_STATE_FIELDS)
    answer_sql, answer_params = rows.insert(answer, returning_pk=True)
    counted_sql, counted_params = activity.count_answer_sql(
        user_id=answer.user_id, day=day, recalled=answer.recalled
    )
    session_sql = _SESSION_UPDATE.format(finished=", finished_at = %s" if finished else "")
    session_params = [int(answer.recalled), now, *([now] if finished else []), session.pk]
    sql = (
        f"WITH card AS ({card_sql}), answer AS ({answer_sql}), counted AS ({counted_sql}) "
        f"{session_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*card_params, *answer_params, *counted_params, *session_params])
        row = cursor.fetchone()
    if row is None:
        return False
    answer.pk = row[0]
    return True
