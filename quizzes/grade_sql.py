"""A grade on PostgreSQL in two statements: one that reads, one that writes (issue #22).

`lock` reads the learner's profile and their card for the question with both rows locked
(the profile first, as every writer of the roll-up does: accounts.activity). `write` then
writes the card, the answer, the day's roll-up, the session's counters and, when the grade
counts them, the key points' memories in one statement of data-modifying CTEs. Through the
ORM these were up to eight round trips and as many compiled statements. SQLite has no
writes in CTEs: quizzes.grading makes the same writes one by one.

A grade needs no transaction around the two: `read` reads the same rows unlocked with
their versions (PostgreSQL's `xmin`, which every update of a row changes), and `write`
given those versions is a statement of its own that locks the profile, the card, the
session and the key points' memories and writes only if neither the profile nor the card
has changed since: BEGIN and COMMIT are two round trips fewer. When one has, it writes
nothing and the grade is made again the locked way.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.db import connection

from accounts import activity
from accounts.models import Profile
from prepsite import rows
from quizzes.models import (
    CARD_STATE_FIELDS,
    Answer,
    Card,
    KeyPoint,
    KeyPointMemory,
    PracticeSession,
    Question,
)

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


@dataclass(frozen=True)
class Versions:
    """The profile's and the card's row versions as read (card: None when there was no
    card)."""

    profile: str | None
    card: str | None


@dataclass(frozen=True)
class Read:
    """What a grade reads first: the learner's profile and their card for the question
    (None where there is none), unlocked, with their versions for `write` to check."""

    profile: Profile | None
    card: Card | None
    versions: Versions


def read_columns() -> str:
    """`Read`'s columns, for a statement that joins the learner's profile as `p` and their
    card for the question as `c` (LEFT JOINs): `read`, and the grade's session read
    (quizzes.cards), which so saves the grade a round trip."""
    return f"{_PROFILE.sql()}, {_CARD.sql()}, p.xmin::text, c.xmin::text"


def read_from(values) -> Read:
    """The `Read` of `read_columns()`'s values."""
    profile, card = rows.split(values[:-2], _PROFILE, _CARD)
    return Read(profile=profile, card=card, versions=Versions(values[-2], values[-1]))


@cache
def _read_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {read_columns()} FROM (SELECT 1) AS one "
        f"LEFT JOIN {quote(Profile._meta.db_table)} p ON p.user_id = %s "
        f"LEFT JOIN {quote(Card._meta.db_table)} c ON c.user_id = %s AND c.question_id = %s"
    )


def read(*, user_id: int, question_id: int) -> Read:
    """`lock`'s rows, not locked, with their versions for `write` to check."""
    with connection.cursor() as cursor:
        cursor.execute(_read_sql(), [user_id, user_id, question_id])
        return read_from(cursor.fetchone())


def _guards(
    versions: Versions, *, user_id: int, card: Card | None, session: PracticeSession
) -> tuple[str, list]:
    # `ok` has a row when the profile and the card are as read and the session is still
    # where the grade found it (not abandoned, nothing graded or undone since), with the
    # three rows locked: the profile first, as every writer of the learner's rows locks
    # it (each guard's EXISTS is evaluated before its own row is locked).
    quote = connection.ops.quote_name
    sql = (
        f"p AS (SELECT 1 FROM {quote(Profile._meta.db_table)} "
        "WHERE user_id = %s AND xmin = %s::xid FOR NO KEY UPDATE), "
    )
    params = [user_id, versions.profile]
    before = "p"
    if card is not None:
        sql += (
            f"c AS (SELECT 1 FROM {quote(Card._meta.db_table)} WHERE id = %s "
            "AND xmin = %s::xid AND EXISTS (SELECT 1 FROM p) FOR UPDATE), "
        )
        params += [card.pk, versions.card]
        before = "c"
    sql += (
        f"ok AS (SELECT 1 FROM {quote(PracticeSession._meta.db_table)} WHERE id = %s "
        "AND abandoned_at IS NULL AND answered = %s "
        f"AND EXISTS (SELECT 1 FROM {before}) FOR NO KEY UPDATE), "
    )
    return sql, [*params, session.pk, session.answered]


_SESSION_UPDATE = (
    f'UPDATE "{PracticeSession._meta.db_table}" SET answered = answered + 1, '
    "recalled = recalled + %s, current_shown_at = %s, "
    "last_answer_id = (SELECT id FROM answer){finished} "
    # Not if another tab graded or undid a question of the session meanwhile: this grade
    # is for the question it was at. Counted only with its answer: without `read`'s
    # versions still as read, no answer.
    "WHERE id = %s AND abandoned_at IS NULL AND answered = %s "
    "AND EXISTS (SELECT 1 FROM answer) RETURNING last_answer_id"
)


@cache
def _points_sql(source: str) -> str:
    # What quizzes.grading._remember_points does, as CTEs: a hit for each ticked key point
    # of the question and a miss for the rest, the missing memories made and the others
    # locked (in one order, as _remember_points locks them) and updated; `kp_before` is what
    # they were, for the answer's `before` (undo). Another grade of the question waits for
    # the profile, then fails the card's check; a memory made after this statement began
    # fails the insert on its unique constraint, as a card does: the locked way then.
    quote = connection.ops.quote_name
    memory, point = quote(KeyPointMemory._meta.db_table), quote(KeyPoint._meta.db_table)
    guard = f" AND EXISTS (SELECT 1 FROM {source})" if source else ""
    # A hit rests the point KeyPointMemory.rest_days(its streak before the hit): 24 hours a
    # day, as Python's timedelta (a day of the session's time zone may have 23 or 25).
    rest = (
        "CASE WHEN kp.hit THEN {now} + %s::integer * 2 ^ LEAST({streak}, %s::integer) "
        "* interval '24 hours' ELSE {now} END"
    )
    return (
        f"kp AS (SELECT id, id = ANY(%s::bigint[]) AS hit FROM {point} "
        f"WHERE question_id = %s{guard}), "
        f"kpm AS (SELECT * FROM {memory} WHERE user_id = %s "
        "AND key_point_id IN (SELECT id FROM kp) ORDER BY key_point_id FOR UPDATE), "
        "kp_new AS (SELECT * FROM kp WHERE id NOT IN (SELECT key_point_id FROM kpm)), "
        f"kp_made AS (INSERT INTO {memory} "
        "(user_id, key_point_id, hits, misses, streak, last_seen, due) "
        "SELECT %s, kp.id, kp.hit::integer, (NOT kp.hit)::integer, kp.hit::integer, %s, "
        + rest.format(now="%s::timestamptz", streak="0")
        + " FROM kp_new kp), "
        f"kp_seen AS (UPDATE {memory} m SET hits = m.hits + kp.hit::integer, "
        "misses = m.misses + (NOT kp.hit)::integer, "
        "streak = CASE WHEN kp.hit THEN m.streak + 1 ELSE 0 END, last_seen = %s, "
        "due = "
        + rest.format(now="%s::timestamptz", streak="m.streak")
        + " FROM kpm JOIN kp ON kp.id = kpm.key_point_id WHERE m.id = kpm.id), "
        "kp_before AS (SELECT jsonb_build_object("
        "'created', COALESCE((SELECT jsonb_agg(id ORDER BY id) FROM kp_new), '[]'::jsonb), "
        "'updated', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', id, 'hits', hits, "
        "'misses', misses, 'streak', streak, 'last_seen', last_seen, 'due', due) ORDER BY id) "
        "FROM kpm), '[]'::jsonb)) AS points), "
    )


def _points_params(*, question_id: int, ticked: list[int], user_id: int, now: datetime) -> list:
    rest = [KeyPointMemory.REST_DAYS, KeyPointMemory.MAX_DOUBLINGS]
    return [
        ticked, question_id,  # kp
        user_id,  # kpm
        user_id, now, now, *rest, now,  # kp_made
        now, now, *rest, now,  # kp_seen
    ]  # fmt: skip


def write(
    *,
    card: Card | None,
    new_card: Card,
    answer: Answer,
    day: date,
    session: PracticeSession,
    finished: bool,
    now: datetime,
    points_of: Question | None = None,
    versions: Versions | None = None,
) -> bool:
    """Write the grade: the card (`new_card`'s scheduling fields onto the locked `card`, or
    `new_card` as the first), the answer, one more answer on `day` in the roll-up, the
    session's counters, and a hit or a miss for each key point of `points_of` (the
    question, when the grade counts them: the answer's ticks are the hits). False, with
    nothing changed by the session's update, when the session was abandoned, or moved on or
    back by a grade or an undo in another tab, meanwhile: the caller rolls the rest back.

    With `versions` (the rows came from `read`, not `lock`), nothing at all is written
    unless the profile and the card are still as read and the session is where it was:
    False then, and a statement of its own has nothing to roll back."""
    guards, guard_params, source = "", [], ""
    if versions is not None:
        guards, guard_params = _guards(versions, user_id=answer.user_id, card=card, session=session)
        source = "ok"
    if card is None:
        card_sql, card_params = rows.insert(new_card, source=source)
    else:
        card_sql, card_params = rows.update(new_card, CARD_STATE_FIELDS, source=source)
    points_sql, points_params = "", []
    answer_expressions = ()
    if points_of is not None:
        points_sql = _points_sql(source)
        points_params = _points_params(
            question_id=points_of.pk, ticked=answer.key_points_ticked, user_id=answer.user_id,
            now=now,
        )  # fmt: skip
        # The memories as they were go into the stored answer only: `answer.before` keeps
        # "points": None here (nothing reads it before the answer is read again).
        answer_expressions = (
            ("before", "jsonb_set(%s, '{points}', (SELECT points FROM kp_before))"),
        )
    answer_sql, answer_params = rows.insert(
        answer, returning_pk=True, source=source, expressions=answer_expressions
    )
    counted_sql, counted_params = activity.count_answer_sql(
        user_id=answer.user_id, day=day, recalled=answer.recalled, source=source
    )
    session_sql = _SESSION_UPDATE.format(finished=", finished_at = %s" if finished else "")
    session_params = [
        int(answer.recalled),
        now,
        *([now] if finished else []),
        session.pk,
        session.answered,
    ]
    sql = (
        f"WITH {guards}{points_sql}card AS ({card_sql}), answer AS ({answer_sql}), "
        f"counted AS ({counted_sql}) {session_sql}"
    )
    params = [
        *guard_params, *points_params, *card_params, *answer_params, *counted_params,
        *session_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    answer.pk = row[0]
    return True
