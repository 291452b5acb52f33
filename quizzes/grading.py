"""The grade path of the practice loop: recording a grade exactly once.

A grade changes the learner's FSRS card, their key-point memory, the day's roll-up
(accounts.activity) and the session's counters, and keeps what it changed on the Answer
(`before`) so that quizzes.undo can put every one of them back exactly.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts import activity
from accounts.models import Profile
from quizzes import grade_sql, scheduling
from quizzes.models import (
    CARD_STATE_FIELDS,
    Answer,
    Card,
    Grade,
    KeyPointMemory,
    PracticeSession,
    Question,
    SessionItem,
)


@dataclass(frozen=True)
class GradeResult:
    recorded: bool  # False when this grade had already been recorded (nothing changed)


def record_grade(
    *,
    session: PracticeSession,
    item: SessionItem,
    grade: int,
    key_point_ids: list[int],
    typed_answer: str = "",
    now: datetime | None = None,
) -> GradeResult:
    """Record one grade and update the learner's FSRS card, exactly once.

    A second grade for the same question of the session (double click, replay,
    another tab) changes nothing: the unique constraint on (session, question) refuses
    its answer and all of it is rolled back, and the caller shows the current state. So
    does a grade of a session that another tab abandoned, or moved on or back (undo), since
    the grade read it.
    """
    now = now or timezone.now()
    ticked = sorted(set(key_point_ids))
    grading = {
        "session": session,
        "item": item,
        "grade": grade,
        "ticked": ticked,
        "typed_answer": typed_answer,
        "now": now,
    }
    answer = _record_grade_at_once(**grading) if connection.vendor == "postgresql" else None
    if answer is None:
        try:
            # A transaction of its own (a request's grade); inside a caller's (a mock
            # interview's), a savepoint, so that a refused grade rolls back only itself
            # and the caller's transaction goes on.
            with transaction.atomic():
                answer = _record_grade(**grading)
        except (IntegrityError, _SessionOver):
            return GradeResult(recorded=False)
    # Mirror the counters just written, so callers need not read the row again.
    session.last_answer = answer
    session.answered += 1
    session.recalled += int(answer.recalled)
    session.current_shown_at = now
    if session.answered >= session.size:
        session.finished_at = now
    return GradeResult(recorded=True)


def _record_grade(*, session, item, grade, ticked, typed_answer, now) -> Answer:
    """The grade in the caller's transaction, with the profile and the card locked first:
    their time zone, scheduler settings and interview date all shape this grade."""
    user_id, question_id = session.user_id, item.question_id
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        profile, card = grade_sql.lock(user_id=user_id, question_id=question_id)
    else:
        profile = activity.lock_profile(user_id)
        card = locked_card(user_id=user_id, question_id=question_id)
    graded = _graded(
        session=session, item=item, grade=grade, ticked=ticked, typed_answer=typed_answer,
        now=now, profile=profile, card=card,
    )  # fmt: skip
    # Not if the learner abandoned the session, or graded or undid in another tab,
    # meanwhile: then nothing of this grade is kept (an abandoned session stays abandoned
    # rather than also finished). A duplicate grade fails on the answer's unique
    # constraint: the same, all rolled back.
    if not graded.write_with(grade_sql.write if postgresql else _write):
        raise _SessionOver
    return graded.answer


def _record_grade_at_once(*, session, item, grade, ticked, typed_answer, now) -> Answer | None:
    """The grade without a transaction of its own (PostgreSQL): the profile and card read
    unlocked (`item.grade_read`, when the session read had them), then one statement that
    writes only if neither has changed since (grade_sql.write with their versions). None
    when it wrote nothing: the session was abandoned or moved, a row changed, the grade is a
    duplicate, or the card or a key point's memory was made meanwhile; the locked way
    (`_record_grade`) then decides, as it would have."""
    user_id, question_id = session.user_id, item.question_id
    # Read with the session when the view could (quizzes.cards), or now.
    found = getattr(item, "grade_read", None) or grade_sql.read(
        user_id=user_id, question_id=question_id
    )
    profile, card, versions = found.profile, found.card, found.versions
    if profile is None:
        return None
    graded = _graded(
        session=session, item=item, grade=grade, ticked=ticked, typed_answer=typed_answer,
        now=now, profile=profile, card=card,
    )  # fmt: skip
    # A statement is a transaction of its own; inside the caller's (an interview's, a
    # test's), a failure must not end theirs: a savepoint there.
    own = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with own:
            written = graded.write_with(grade_sql.write, versions=versions)
    except IntegrityError:
        return None
    return graded.answer if written else None


@dataclass(frozen=True)
class _Graded:
    """A grade worked out and not yet written: what either way of writing it takes."""

    session: PracticeSession
    card: Card | None  # as the grade read it
    new_card: Card
    answer: Answer
    day: date
    now: datetime
    finished: bool  # the session's last question
    # The question whose key points it counts a hit (ticked) or a miss for, if it does.
    points_of: Question | None

    def write_with(self, write: Callable[..., bool], **options) -> bool:
        """Write it with `write` (grade_sql.write, or `_write` on SQLite); when it was
        written and ends the session, let the worker re-fit the schedule after the commit."""
        written = write(
            card=self.card,
            new_card=self.new_card,
            answer=self.answer,
            day=self.day,
            session=self.session,
            finished=self.finished,
            now=self.now,
            points_of=self.points_of,
            **options,
        )
        if written and self.finished:
            _refit_after_commit(self.session.user_id)
        return written


def _graded(
    *,
    session: PracticeSession,
    item: SessionItem,
    grade: int,
    ticked: list[int],
    typed_answer: str,
    now: datetime,
    profile: Profile | None,
    card: Card | None,
) -> _Graded:
    """The grade's new card and its answer (both unsaved), and its day, from the profile and
    card as the grade read them. The answer's `before` keeps what undo needs to put back."""
    user_id, question_id = session.user_id, item.question_id
    revealed_at = item.revealed_at
    shown_at = session.current_shown_at
    new_card = _reviewed(
        card, user_id=user_id, question_id=question_id, grade=grade, now=now, profile=profile
    )
    answer = Answer(
        user_id=user_id,
        session=session,
        question_id=question_id,
        grade=grade,
        key_points_ticked=ticked,
        key_points_suggested=sorted(item.key_points_suggested),
        typed_answer=item.typed_answer or typed_answer,
        confidence=item.confidence,
        number_correct=item.number_check.correct,
        seconds_to_reveal=_seconds(shown_at, revealed_at),
        seconds_to_grade=_seconds(revealed_at or shown_at, now),
        answered_at=now,
        before={
            "card": _card_snapshot(card),
            "shown_at": shown_at.isoformat() if shown_at else None,
            "points": None,
        },
    )
    return _Graded(
        session=session,
        card=card,
        new_card=new_card,
        answer=answer,
        day=activity.answer_day(profile, now),
        now=now,
        finished=item.position + 1 >= session.size,
        # A grade with nothing ticked says nothing about the points unless it is Again:
        # many learners press Good without using the checklist.
        points_of=item.question if ticked or grade == Grade.AGAIN else None,
    )


def _write(*, card, new_card, answer, day, session, finished, now, points_of) -> bool:
    """grade_sql.write through the ORM, one write at a time (SQLite)."""
    if points_of is not None:
        answer.before["points"] = _remember_points(
            user_id=answer.user_id,
            question=points_of,
            ticked=set(answer.key_points_ticked),
            now=now,
        )
    activity.count_answer(user_id=answer.user_id, day=day, recalled=answer.recalled)
    if card is None:
        new_card.save(force_insert=True)
    else:
        new_card.save(update_fields=CARD_STATE_FIELDS)
    answer.save(force_insert=True)
    return bool(
        PracticeSession.objects.filter(
            pk=session.pk, abandoned_at__isnull=True, answered=session.answered
        ).update(
            answered=F("answered") + 1,
            recalled=F("recalled") + int(answer.recalled),
            current_shown_at=now,
            last_answer=answer,
            **({"finished_at": now} if finished else {}),
        )
    )


POINT_FIELDS = ("hits", "misses", "streak", "last_seen", "due")
POINT_TIME_FIELDS = ("last_seen", "due")


def _remember_points(*, user_id: int, question, ticked: set[int], now: datetime) -> dict:
    """Count a hit for each ticked key point of the question and a miss for the rest.

    Returns the memories as they were (for undo): the points that had none, and the
    fields of those that had one.
    """
    point_ids = question.key_point_ids  # read once with the ticks' check (GradeForm)
    existing = {
        memory.key_point_id: memory
        for memory in KeyPointMemory.objects.select_for_update().filter(
            user_id=user_id, key_point_id__in=point_ids
        )
    }
    before = {
        "created": [point_id for point_id in point_ids if point_id not in existing],
        "updated": [_point_snapshot(memory) for memory in existing.values()],
    }
    to_create, to_update = [], []
    for point_id in point_ids:
        memory = existing.get(point_id)
        if memory is None:
            memory = KeyPointMemory(user_id=user_id, key_point_id=point_id, due=now, last_seen=now)
            to_create.append(memory)
        else:
            to_update.append(memory)
        memory.last_seen = now
        if point_id in ticked:
            memory.hits += 1
            memory.due = now + timedelta(days=KeyPointMemory.rest_days(memory.streak))
            memory.streak += 1
        else:
            memory.misses += 1
            memory.streak = 0
            memory.due = now
    KeyPointMemory.objects.bulk_create(to_create)
    KeyPointMemory.objects.bulk_update(to_update, POINT_FIELDS)
    return before


def _point_snapshot(memory: KeyPointMemory) -> dict:
    snapshot = {"id": memory.pk, **{name: getattr(memory, name) for name in POINT_FIELDS}}
    for name in POINT_TIME_FIELDS:
        snapshot[name] = snapshot[name].isoformat()
    return snapshot


class _SessionOver(Exception):
    """Rolls a grade back when its session was abandoned, or moved on or back, while it was
    being recorded."""


def _refit_after_commit(user_id: int) -> None:
    """At the end of each session, let the worker re-fit the schedule if enough new
    reviews have come in since the last fit (planner.tasks.refit_if_due decides)."""
    from planner.tasks import refit_if_due

    transaction.on_commit(lambda: refit_if_due.enqueue(user_id))


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds())


CARD_TIME_FIELDS = ("due", "last_review")


def _card_snapshot(card: Card | None) -> dict | None:
    """The card's scheduling fields as JSON, exactly (floats and microseconds round-trip)."""
    if card is None:
        return None
    snapshot = {name: getattr(card, name) for name in CARD_STATE_FIELDS}
    for name in CARD_TIME_FIELDS:
        snapshot[name] = snapshot[name].isoformat() if snapshot[name] else None
    return snapshot


def _reviewed(
    card: Card | None, *, user_id: int, question_id: int, grade: int, now: datetime, profile
) -> Card:
    """The learner's card after this grade (unsaved): `card` reviewed by their scheduler,
    due no later than their interview allows, or a new card when `card` is None."""
    new = scheduling.review(
        card,
        question_id=question_id,
        grade=grade,
        now=now,
        scheduler=scheduling.scheduler_for(profile),
    )
    return Card(
        pk=card.pk if card else None,
        user_id=user_id,
        question_id=question_id,
        state=new.state.value,
        step=new.step,
        stability=new.stability,
        difficulty=new.difficulty,
        due=scheduling.planned_due(
            new.due,
            question_id=question_id,
            now=now,
            interview_at=scheduling.interview_start(profile),
        ),
        last_review=new.last_review,
        reviews=(card.reviews if card else 0) + 1,
        lapses=(card.lapses if card else 0) + int(grade == Grade.AGAIN),
    )


def locked_card(*, user_id: int, question_id: int) -> Card | None:
    """The learner's card for the question, locked until the grade commits.

    Written out: compiling this one-row lock through the ORM cost the grade a tenth of
    its CPU (issue #22). SQLite locks the whole database for the transaction instead."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    cards = Card.objects.raw(
        f"SELECT * FROM {Card._meta.db_table} WHERE user_id = %s AND question_id = %s{lock}",
        [user_id, question_id],
    )
    return next(iter(cards), None)
