"""Writes of the practice loop: starting sessions, revealing, grading, reporting.

Each function runs in one transaction and raises ValidationError for input
that cannot be applied; views turn that into a 400 with the message. The grade
and its undo live in quizzes.grading and are part of this module's interface.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from quizzes import selection
from quizzes.grading import GradeResult, record_grade
from quizzes.matching import suggest_key_points
from quizzes.models import Mode, PracticeSession, Question, Report, SessionItem
from quizzes.undo import undo_last_grade

__all__ = [
    "GradeResult",
    "StartedSession",
    "abandon_session",
    "record_grade",
    "report_question",
    "reveal",
    "start_session",
    "undo_last_grade",
]


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
# When the difficulty or tag leave nothing in the topics, another mode cannot help either.
NO_MATCH = "No question matches these filters together: clear the tag or difficulty."


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
        limits = selection.limits_for(user=user, mode=mode, now=now)
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
        if (difficulty or tag) and not selection.any_question(
            user, topics, difficulty=difficulty, tag=tag
        ):
            raise ValidationError(NO_MATCH, code="no_match")
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
    item.typed_answer = typed_answer
    # Parsed here once for the request: the card shows the same check (SessionItem).
    item.__dict__.pop("number_check", None)
    if item.number_check.error:
        raise ValidationError(item.number_check.error, code="bad_number")
    item.revealed_at = now or timezone.now()
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


def report_question(*, user, question: Question, reason: str, note: str) -> Report:
    return Report.objects.create(user=user, question=question, reason=reason, note=note)
