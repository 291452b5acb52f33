"""Writes of the practice loop: starting sessions, revealing, grading, reporting.

Each function runs in one transaction and raises ValidationError for input
that cannot be applied; views turn that into a 400 with the message.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import DailyActivity, Profile
from quizzes import scheduling, selection
from quizzes.matching import suggest_key_points
from quizzes.models import (
    RECALLED_GRADES,
    Answer,
    Card,
    Grade,
    KeyPoint,
    KeyPointMemory,
    Mode,
    PracticeSession,
    Question,
    Report,
    SessionItem,
)
from quizzes.numbers import NumberError, parse_number, within_tolerance


@dataclass(frozen=True)
class StartedSession:
    session: PracticeSession
    requested: int
    # Why fewer questions came than asked for: a daily limit was reached.
    notes: tuple[str, ...] = ()

    @property
    def shortfall(self) -> bool:
        return self.session.size < self.requested


NO_QUESTIONS = {
    Mode.DUE: "Nothing is due or new in these topics. Try Weakest or Random.",
    Mode.NEW: "You have seen every question in these topics. Try Due for review or Weakest.",
    Mode.WEAKEST: "Weakest needs some history: answer a few questions first.",
    Mode.RANDOM: "No questions match these topics yet.",
    Mode.MISSED: "There are no missed questions in that session.",
    Mode.MISSED_POINTS: "No key point you missed is due again in these topics. Try Due for review.",
    Mode.LIBRARY: "No questions to practise here: suspended questions are left out.",
}
# Each hit in a row after a miss doubles how long a missed point rests before it is
# due again in "Missed key points": 1, 2, 4... days.
POINT_REST_DAYS = 1
UNDO_NOTHING = "There is no grade to undo: only the last grade of a session can be undone, once."
UNDO_STALE = "That question has been graded or reset since, so this grade can no longer be undone."


@transaction.atomic
def start_session(
    *,
    user,
    mode: str,
    size: int,
    topics=(),
    timer_seconds: int | None = None,
    question_ids: list[int] | None = None,
    difficulty: str | None = None,
    tag: str | None = None,
    now: datetime | None = None,
) -> StartedSession:
    """Create a session of up to `size` questions chosen by `mode`.

    `question_ids` overrides the choice (used for "Practice missed questions" and the
    library's "Practise these"); `difficulty` and `tag` narrow the choice.
    """
    now = now or timezone.now()
    limits = None
    if question_ids is None:
        if mode in selection.LIMITED_MODES:
            limits = _limits_for(user, now=now)
        question_ids = selection.choose_questions(
            user=user,
            topics=topics,
            mode=mode,
            size=size,
            now=now,
            limits=limits,
            difficulty=difficulty,
            tag=tag,
        )
    notes = tuple(limits.notes) if limits else ()
    if not question_ids:
        raise ValidationError(notes[0] if notes else NO_QUESTIONS[mode], code="no_questions")
    session = PracticeSession.objects.create(
        user=user,
        mode=mode,
        size=len(question_ids),
        timer_seconds=timer_seconds,
        current_shown_at=now,
    )
    if topics:
        session.topics.set(topics)
    SessionItem.objects.bulk_create(
        SessionItem(session=session, question_id=qid, position=position)
        for position, qid in enumerate(question_ids)
    )
    return StartedSession(session=session, requested=size, notes=notes)


def _limits_for(user, *, now: datetime) -> selection.Limits:
    """Today's limits for the learner: a fixed handful of queries (planner.plan)."""
    from planner.plan import allowance

    # An account without a profile (made by a command) has the defaults; none is made here
    # (and `user_id`, not `user`: an unsaved profile must not be cached on the user).
    profile = Profile.objects.filter(user_id=user.pk).first() or Profile(user_id=user.pk)
    today = allowance(user=user, profile=profile, now=now)
    return selection.Limits(
        new_left=today.new_left,
        reviews_left=today.reviews_left,
        new_limit=today.new_limit,
        review_limit=today.review_limit,
        syllabus=today.syllabus,
    )


@transaction.atomic
def reveal(
    *,
    item: SessionItem,
    typed_answer: str,
    confidence: str = "",
    session: PracticeSession | None = None,
    now: datetime | None = None,
) -> SessionItem:
    """Record that the learner revealed the reference answer, with what they typed and
    how sure they said they were; suggest the key points their answer covers.

    A calculation's number must be readable: ValidationError with the message otherwise.
    """
    if item.revealed_at is not None:
        return item
    question = item.question
    if question.is_calculation and typed_answer.strip():
        try:
            parse_number(typed_answer, question.unit)
        except NumberError as exc:
            raise ValidationError(str(exc), code="bad_number") from None
    item.revealed_at = now or timezone.now()
    item.typed_answer = typed_answer
    item.confidence = confidence
    item.key_points_suggested = (
        suggest_key_points(typed_answer, question.key_points.all(), prompt=question.prompt)
        if typed_answer.strip() and not question.is_calculation
        else []
    )
    item.save(update_fields=["revealed_at", "typed_answer", "confidence", "key_points_suggested"])
    if confidence and session is not None and confidence != session.confidence:
        # Remembered for the session: the next question offers the same answer.
        PracticeSession.objects.filter(pk=session.pk).update(confidence=confidence)
        session.confidence = confidence
    return item


@dataclass(frozen=True)
class GradeResult:
    answer: Answer | None  # None when this grade had already been recorded
    recorded: bool


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
    another tab) changes nothing: the unique constraint on (session, question)
    makes the whole transaction roll back, and the caller shows the current state.
    """
    now = now or timezone.now()
    try:
        # No savepoint: a racing duplicate aborts this whole transaction, which is
        # what we want, and the loop saves two statements per grade.
        with transaction.atomic(savepoint=False):
            answer = _record_grade(
                session=session,
                item=item,
                grade=grade,
                key_point_ids=key_point_ids,
                typed_answer=typed_answer,
                now=now,
            )
    except (IntegrityError, _SessionOver):
        return GradeResult(answer=None, recorded=False)
    # Mirror the counters just written, so callers need not read the row again.
    session.last_answer = answer
    session.answered += 1
    session.recalled += int(answer.recalled)
    session.current_shown_at = now
    if session.answered >= session.size:
        session.finished_at = now
    return GradeResult(answer=answer, recorded=True)


def _record_grade(*, session, item, grade, key_point_ids, typed_answer, now) -> Answer:
    revealed_at = item.revealed_at
    shown_at = session.current_shown_at
    ticked = sorted(set(key_point_ids))
    # The profile first: its time zone, scheduler settings and interview date all
    # shape this grade, and reading it once keeps the round trips as they were.
    profile = _locked_profile(session.user_id)
    card_before = _update_card(
        user_id=session.user_id, question_id=item.question_id, grade=grade, now=now, profile=profile
    )
    answer = Answer.objects.create(
        user_id=session.user_id,
        session=session,
        question_id=item.question_id,
        grade=grade,
        key_points_ticked=ticked,
        key_points_suggested=sorted(item.key_points_suggested),
        typed_answer=item.typed_answer or typed_answer,
        confidence=item.confidence,
        number_correct=number_check(item.question, item.typed_answer).correct,
        seconds_to_reveal=_seconds(shown_at, revealed_at),
        seconds_to_grade=_seconds(revealed_at or shown_at, now),
        answered_at=now,
        before={"card": card_before, "shown_at": shown_at.isoformat() if shown_at else None},
    )
    if ticked or grade == Grade.AGAIN:
        # A grade with nothing ticked says nothing about the points unless it is Again:
        # many learners press Good without using the checklist.
        _remember_points(
            user_id=session.user_id, question_id=item.question_id, ticked=set(ticked), now=now
        )
    recalled = grade in RECALLED_GRADES
    _count_daily_activity(user_id=session.user_id, recalled=recalled, now=now, profile=profile)
    finished = item.position + 1 >= session.size
    # Not if the learner abandoned the session meanwhile (another tab): then nothing of
    # this grade is kept, and the session stays abandoned rather than also finished.
    updated = PracticeSession.objects.filter(pk=session.pk, abandoned_at__isnull=True).update(
        answered=F("answered") + 1,
        recalled=F("recalled") + int(recalled),
        current_shown_at=now,
        last_answer=answer,
        **({"finished_at": now} if finished else {}),
    )
    if not updated:
        raise _SessionOver
    if finished:
        _refit_after_commit(session.user_id)
    return answer


def _remember_points(*, user_id: int, question_id: int, ticked: set[int], now: datetime):
    """Count a hit for each ticked key point of the question and a miss for the rest."""
    point_ids = list(KeyPoint.objects.filter(question_id=question_id).values_list("pk", flat=True))
    existing = {
        memory.key_point_id: memory
        for memory in KeyPointMemory.objects.select_for_update().filter(
            user_id=user_id, key_point_id__in=point_ids
        )
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
            memory.streak += 1
            memory.due = now + timedelta(days=POINT_REST_DAYS * 2 ** (memory.streak - 1))
        else:
            memory.misses += 1
            memory.streak = 0
            memory.due = now
    KeyPointMemory.objects.bulk_create(to_create)
    KeyPointMemory.objects.bulk_update(to_update, ["hits", "misses", "streak", "last_seen", "due"])


@dataclass(frozen=True)
class NumberCheck:
    """A calculation's typed number against the reference (all None when not applicable)."""

    correct: bool | None = None
    value: float | None = None


def number_check(question: Question, typed: str) -> NumberCheck:
    if not question.is_calculation or not typed.strip() or question.expected is None:
        return NumberCheck()
    try:
        value = parse_number(typed, question.unit)
    except NumberError:
        return NumberCheck()
    correct = within_tolerance(value, expected=question.expected, tolerance=question.tolerance or 0)
    return NumberCheck(correct=correct, value=value)


class _SessionOver(Exception):
    """Rolls a grade back when its session was abandoned while it was being recorded."""


def _refit_after_commit(user_id: int) -> None:
    """At the end of each session, let the worker re-fit the schedule if enough new
    reviews have come in since the last fit (planner.tasks.refit_if_due decides)."""
    from planner.tasks import refit_if_due

    transaction.on_commit(lambda: refit_if_due.enqueue(user_id))


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds())


CARD_STATE_FIELDS = (
    "state", "step", "stability", "difficulty", "due", "last_review", "reviews", "lapses",
)  # fmt: skip
CARD_TIME_FIELDS = ("due", "last_review")


def _card_snapshot(card: Card | None) -> dict | None:
    """The card's scheduling fields as JSON, exactly (floats and microseconds round-trip)."""
    if card is None:
        return None
    snapshot = {name: getattr(card, name) for name in CARD_STATE_FIELDS}
    for name in CARD_TIME_FIELDS:
        snapshot[name] = snapshot[name].isoformat() if snapshot[name] else None
    return snapshot


def _card_fields(snapshot: dict) -> dict:
    fields = {name: snapshot[name] for name in CARD_STATE_FIELDS}
    for name in CARD_TIME_FIELDS:
        fields[name] = datetime.fromisoformat(fields[name]) if fields[name] else None
    return fields


def _update_card(
    *, user_id: int, question_id: int, grade: int, now: datetime, profile
) -> dict | None:
    """Apply the grade to the learner's card; returns the card as it was (for undo)."""
    card = Card.objects.select_for_update().filter(user_id=user_id, question_id=question_id).first()
    new = scheduling.review(
        card,
        question_id=question_id,
        grade=grade,
        now=now,
        scheduler=scheduling.scheduler_for(profile),
    )
    due = scheduling.planned_due(
        new.due,
        question_id=question_id,
        now=now,
        interview_at=scheduling.interview_start(profile),
    )
    fields = {
        "state": new.state.value,
        "step": new.step,
        "stability": new.stability,
        "difficulty": new.difficulty,
        "due": due,
        "last_review": new.last_review,
    }
    if card is None:
        Card.objects.create(
            user_id=user_id,
            question_id=question_id,
            reviews=1,
            lapses=int(grade == 1),
            **fields,
        )
    else:
        Card.objects.filter(pk=card.pk).update(
            reviews=F("reviews") + 1, lapses=F("lapses") + int(grade == 1), **fields
        )
    return _card_snapshot(card)


def _locked_profile(user_id: int) -> Profile | None:
    # Locked: a change of time zone re-counts the roll-up with this row locked too.
    return Profile.objects.select_for_update(no_key=True).filter(user_id=user_id).first()


def _count_daily_activity(
    *, user_id: int, recalled: bool, now: datetime, profile, delta: int = 1
) -> None:
    """Add one answer (or, with `delta=-1`, take one back) to the learner's roll-up for
    their local day at `now`, in one statement.

    The time zone is read with the profile row locked: a change of zone re-counts the
    roll-up with that row locked too (accounts.services.update_profile), so this grade
    lands either before the re-count, which includes it, or after it, in the new zone.
    """
    zone = profile.zone if profile else timezone.get_default_timezone()
    day = timezone.localtime(now, zone).date()
    if delta < 0:
        # Not the upsert below: its VALUES row would break the non-negative CHECK first.
        DailyActivity.objects.filter(user_id=user_id, day=day).update(
            answers=F("answers") + delta, recalled=F("recalled") + delta * int(recalled)
        )
        # A day whose only answer was taken back is no day of activity (streaks, heatmap).
        DailyActivity.objects.filter(user_id=user_id, day=day, answers=0).delete()
        return
    table = DailyActivity._meta.db_table
    # An upsert that increments: PostgreSQL and SQLite (3.24+) share this syntax,
    # and the ORM has no increment-on-conflict.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, day, answers, recalled) VALUES (%s, %s, 1, %s) "
            "ON CONFLICT (user_id, day) DO UPDATE SET answers = "
            f"{table}.answers + 1, recalled = {table}.recalled + EXCLUDED.recalled",
            [user_id, day, int(recalled)],
        )


def abandon_session(*, session: PracticeSession, now: datetime | None = None) -> bool:
    """Give up on an unfinished session: it leaves "in progress" and is never scored.

    What was graded stays graded (the answers, cards and daily roll-up are history).
    Returns False, changing nothing, when the session was already finished or abandoned;
    the conditional update makes a grade racing the abandon one or the other, not both.
    """
    now = now or timezone.now()
    changed = PracticeSession.objects.filter(
        pk=session.pk, finished_at__isnull=True, abandoned_at__isnull=True
    ).update(abandoned_at=now)
    if changed:
        session.abandoned_at = now
    else:
        session.refresh_from_db(fields=["finished_at", "abandoned_at"])
    return bool(changed)


@transaction.atomic
def undo_last_grade(*, session: PracticeSession) -> Answer:
    """Take back the session's last grade: the answer, the card's previous FSRS state, the
    session's counters and the daily roll-up, exactly as before it. Once: the session
    forgets its last answer, and only the latest grade of the session can be undone.
    Refused when the question was graded again elsewhere or reset since."""
    locked = PracticeSession.objects.select_for_update().get(pk=session.pk)
    answer = Answer.objects.filter(pk=locked.last_answer_id).first()
    # An abandoned session keeps what was graded in it (issue 13).
    if answer is None or answer.before is None or locked.abandoned_at is not None:
        raise ValidationError(UNDO_NOTHING, code="nothing_to_undo")
    card = (
        Card.objects.select_for_update()
        .filter(user_id=answer.user_id, question_id=answer.question_id)
        .first()
    )
    if card is None or card.last_review != answer.answered_at:
        raise ValidationError(UNDO_STALE, code="stale")
    previous = answer.before["card"]
    if previous is None:
        card.delete()
    else:
        Card.objects.filter(pk=card.pk).update(**_card_fields(previous))
    _count_daily_activity(
        user_id=answer.user_id,
        recalled=answer.recalled,
        now=answer.answered_at,
        profile=_locked_profile(answer.user_id),
        delta=-1,
    )
    shown_at = answer.before["shown_at"]
    PracticeSession.objects.filter(pk=locked.pk).update(
        answered=F("answered") - 1,
        recalled=F("recalled") - int(answer.recalled),
        finished_at=None,
        current_shown_at=datetime.fromisoformat(shown_at) if shown_at else None,
        last_answer=None,
    )
    answer.delete()
    transaction.on_commit(lambda: scheduling.schedule_changed(answer.user_id))
    session.refresh_from_db()
    return answer


def report_question(*, user, question: Question, reason: str, note: str) -> Report:
    return Report.objects.create(user=user, question=question, reason=reason, note=note)
