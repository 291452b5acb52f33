"""Writes of a mock interview. Questions are graded through quizzes.services, so an
interview's grades feed FSRS, the daily roll-up and the session exactly as practice does;
this module adds the steps, their clock, follow-ups and the end.

Every function locks the interview's row first: two tabs, a double click or a replay
are served one after the other, and the second finds the step already done.
"""

import random
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from interviews import selection
from interviews.models import Interview, InterviewStep
from interviews.scoring import interview_score
from quizzes import services as practice
from quizzes.models import FollowUp, Mode, PracticeSession

LENGTHS = (30, 45, 60)
# One question per six minutes of interview, and a quarter of the time kept for follow-ups.
MINUTES_PER_QUESTION = 6
QUESTION_SHARE = 0.75
# An interviewer follows up once or twice, not on every missed point.
MAX_FOLLOW_UPS = 2
NO_QUESTIONS = "No published questions match these topics yet: choose others."


def plan(minutes: int) -> tuple[int, int, int]:
    """(questions, seconds per question, seconds per follow-up) for an interview's length."""
    size = max(2, minutes // MINUTES_PER_QUESTION)
    question_seconds = int(minutes * 60 * QUESTION_SHARE / size)
    return size, question_seconds, min(120, question_seconds // 2)


@transaction.atomic
def start_interview(
    *,
    user,
    minutes: int,
    level: str,
    topics=(),
    now: datetime | None = None,
    rng: random.Random | None = None,
    question_seconds: int | None = None,
    follow_up_seconds: int | None = None,
) -> Interview:
    """Choose the questions, start their practice session and the first question's clock.

    `question_seconds` and `follow_up_seconds` override the plan's budgets (for tests).
    """
    now = now or timezone.now()
    size, planned_question, planned_follow_up = plan(minutes)
    ids = selection.choose(
        user=user, topics=topics, level=level, size=size, rng=rng or random.Random()
    )
    if not ids:
        raise ValidationError(NO_QUESTIONS, code="no_questions")
    session = practice.start_session(
        user=user, mode=Mode.INTERVIEW, size=len(ids), topics=topics, question_ids=ids, now=now
    ).session
    interview = Interview.objects.create(
        user=user,
        session=session,
        minutes=minutes,
        level=level,
        question_seconds=question_seconds or planned_question,
        follow_up_seconds=follow_up_seconds or planned_follow_up,
        started_at=now,
        deadline=now + timedelta(minutes=minutes),
    )
    InterviewStep.objects.bulk_create(
        InterviewStep(
            interview=interview,
            item=item,
            position=item.position,
            budget_seconds=interview.question_seconds,
            shown_at=now if item.position == 0 else None,
        )
        for item in session.items.all()
    )
    return interview


def report_url(interview: Interview) -> str:
    return reverse("interview_report", args=[interview.pk])


def _lock(interview: Interview) -> Interview:
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    for name in ("finished_at", "ended_automatically", "score_percent"):
        setattr(interview, name, getattr(locked, name))
    return interview


def current_step(interview: Interview) -> InterviewStep | None:
    return (
        interview.steps.filter(done_at__isnull=True)
        .select_related("item__question__topic", "follow_up")
        .first()
    )


@transaction.atomic
def resume(*, interview: Interview, now: datetime | None = None) -> InterviewStep | None:
    """The step to show now. Past its budget and not revealed, it is revealed by the server
    ("Time is up") at the moment the budget ran out; an interview overdue ends itself."""
    now = now or timezone.now()
    _lock(interview)
    if interview.is_finished:
        return None
    if interview.is_overdue(now):
        _end(interview, now=interview.ends_itself_at, automatically=True)
        return None
    step = current_step(interview)
    abandoned = PracticeSession.objects.filter(
        pk=interview.session_id, abandoned_at__isnull=False
    ).exists()
    if step is None or abandoned:
        # Nothing left, or its questions were abandoned as a practice session (the
        # dashboard's history offers that): the report covers what was answered.
        _end(interview, now=now, automatically=False)
        return None
    if step.shown_at is None:
        step.shown_at = now
        step.save(update_fields=["shown_at"])
    if step.revealed_at is None and step.budget_over(now):
        _reveal(step, typed_answer="", at=step.shown_at + timedelta(seconds=step.budget_seconds))
    return step


def _reveal(
    step: InterviewStep, *, typed_answer: str, at: datetime, confidence: str = "", session=None
) -> None:
    budget_end = step.shown_at + timedelta(seconds=step.budget_seconds)
    step.auto_revealed = at >= budget_end
    step.revealed_at = min(at, budget_end)
    step.typed_answer = typed_answer
    step.save(update_fields=["revealed_at", "auto_revealed", "typed_answer"])
    if not step.is_follow_up:
        # Practice's reveal keeps the confidence (for the report and the dashboard's
        # calibration), suggests the key points the answer covers and reads a calculation's
        # number; a follow-up has no confidence of its own.
        practice.reveal(
            item=step.item,
            typed_answer=typed_answer,
            confidence=confidence,
            session=session,
            now=step.revealed_at,
        )


@transaction.atomic
def reveal(
    *,
    interview: Interview,
    step: InterviewStep,
    typed_answer: str,
    confidence: str = "",
    now: datetime | None = None,
) -> bool:
    """The learner reveals (or the page's clock did, at zero). After the budget it counts as
    revealed by time ("Time is up"), at the budget's end; what was typed is kept.

    A calculation's unreadable number raises ValidationError (practice's reveal), and
    nothing is revealed."""
    now = now or timezone.now()
    _lock(interview)
    step.refresh_from_db()
    if interview.is_finished or step.done_at or step.revealed_at or step.shown_at is None:
        return False
    _reveal(
        step, typed_answer=typed_answer, at=now, confidence=confidence, session=interview.session
    )
    return True


def _overtime(step: InterviewStep, now: datetime) -> int:
    return max(0, int((now - step.shown_at).total_seconds()) - step.budget_seconds)


@transaction.atomic
def grade_question(
    *,
    interview: Interview,
    step: InterviewStep,
    grade: int,
    key_point_ids: list[int],
    now: datetime | None = None,
) -> bool:
    """Grade the question through practice (FSRS, roll-up), record its overtime and queue
    the follow-ups its missed key points bring. False when the step was already done."""
    now = now or timezone.now()
    _lock(interview)
    step.refresh_from_db()
    if interview.is_finished or step.done_at or step.is_follow_up or step.revealed_at is None:
        return False
    session = interview.session
    # Its counters as committed: record_grade adds to them and finishes it at the last item.
    session.refresh_from_db()
    result = practice.record_grade(
        session=session,
        item=step.item,
        grade=grade,
        key_point_ids=key_point_ids,
        typed_answer=step.typed_answer,
        now=now,
    )
    if not result.recorded:
        return False
    step.done_at = now
    step.overtime_seconds = _overtime(step, now)
    step.save(update_fields=["done_at", "overtime_seconds"])
    follow_ups = triggered_follow_ups(question=step.item.question, ticked=set(key_point_ids))
    InterviewStep.objects.bulk_create(
        InterviewStep(
            interview=interview,
            item=step.item,
            position=step.position,
            sub=sub,
            follow_up=follow_up,
            budget_seconds=interview.follow_up_seconds,
        )
        for sub, follow_up in enumerate(follow_ups[:MAX_FOLLOW_UPS], start=1)
    )
    _next(interview, now=now)
    return True


def triggered_follow_ups(*, question, ticked: set[int]) -> list[FollowUp]:
    """The question's follow-ups whose key point was not ticked, and those asked always."""
    numbers = {
        number
        for number, pk in enumerate(question.key_points.values_list("pk", flat=True), start=1)
        if pk not in ticked
    }
    return [
        follow_up
        for follow_up in question.follow_ups.all()
        if follow_up.after_missing is None or follow_up.after_missing in numbers
    ]


@transaction.atomic
def answer_follow_up(
    *, interview: Interview, step: InterviewStep, covered: bool, now: datetime | None = None
) -> bool:
    """The learner says whether their answer covered the follow-up's reference."""
    now = now or timezone.now()
    _lock(interview)
    step.refresh_from_db()
    if interview.is_finished or step.done_at or not step.is_follow_up or not step.revealed_at:
        return False
    step.done_at = now
    step.covered = covered
    step.overtime_seconds = _overtime(step, now)
    step.save(update_fields=["done_at", "covered", "overtime_seconds"])
    _next(interview, now=now)
    return True


def _next(interview: Interview, *, now: datetime) -> None:
    """Start the next step's clock, or end the interview: no step left, or no time."""
    step = current_step(interview)
    if step is None or now >= interview.deadline:
        _end(interview, now=now, automatically=False)
        return
    step.shown_at = now
    step.save(update_fields=["shown_at"])
    if not step.is_follow_up:
        # Practice times a question from when it is shown: after its predecessor's follow-ups.
        PracticeSession.objects.filter(pk=interview.session_id).update(current_shown_at=now)


@transaction.atomic
def end_interview(*, interview: Interview, now: datetime | None = None) -> bool:
    """The learner ends it early: the report covers what was answered."""
    _lock(interview)
    if interview.is_finished:
        return False
    _end(interview, now=now or timezone.now(), automatically=False)
    return True


def end_overdue(*, user, now: datetime | None = None) -> int:
    """End the learner's interviews left past their length plus the margin."""
    now = now or timezone.now()
    ended = 0
    for interview in Interview.objects.filter(user=user).overdue(now).select_related("session"):
        ended += resume(interview=interview, now=now) is None
    return ended


def _end(interview: Interview, *, now: datetime, automatically: bool) -> None:
    interview.finished_at = now
    interview.ended_automatically = automatically
    interview.score_percent = interview_score(interview)
    interview.save(update_fields=["finished_at", "ended_automatically", "score_percent"])
    # Questions never reached stay unanswered; the session leaves "in progress".
    PracticeSession.objects.filter(
        pk=interview.session_id, finished_at__isnull=True, abandoned_at__isnull=True
    ).update(finished_at=now)
