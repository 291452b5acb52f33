"""What the practice templates show, computed in a fixed number of queries."""

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils import timezone

from quizzes import scheduling
from quizzes.durations import session_duration_in_words
from quizzes.forms import GradeForm, RevealForm
from quizzes.models import Grade, Mode, SessionItem
from quizzes.numbers import format_number
from quizzes.selection import due_points
from quizzes.undo import undoable

GRADE_CLASSES = {Grade.AGAIN: "again", Grade.HARD: "hard", Grade.GOOD: "good", Grade.EASY: "easy"}


def suggested_grade(ticked: int, total: int) -> int:
    """A starting point from the share of key points covered; the learner decides."""
    if not total:
        return Grade.GOOD
    share = ticked / total
    if share >= 1:
        return Grade.GOOD
    if share >= 0.5:
        return Grade.HARD
    return Grade.AGAIN


_UNKNOWN = object()


@lru_cache(maxsize=1024)
def session_urls(session_pk, script_prefix: str) -> dict[str, str]:
    """Where the practice card's forms and links go, reversed once per session (and script
    prefix) in each process: every card of a session shows the same four (issue #22)."""
    return {
        f"{action}_url": reverse(f"practice_{action}", args=[session_pk])
        for action in ("reveal", "grade", "undo", "abandon")
    }


def card_context(session, *, error=None, form=None, next_item=_UNKNOWN, ticked=None) -> dict:
    """The current question's card; `next_item` saves a query when the caller has it.

    `ticked`: the key point ids to tick instead of the suggestion (those of a grade just
    undone, so the learner need not tick them again)."""
    now = timezone.now()
    item = next_item
    if item is _UNKNOWN:
        item = (
            SessionItem.objects.select_related("question__topic")
            .filter(session=session, position=session.answered)
            .first()
        )
    context = {
        "session": session,
        "item": item,
        "error": error,
        "form": form,
        "position": session.answered + 1,
        "can_undo": bool(session.last_answer_id) and undoable(session),
        "progress_percent": round(100 * session.answered / session.size) if session.size else 0,
        # Named even when empty: the template engine pays for a name it cannot find with an
        # exception, and the card asks for these (an interview's card sets `step`).
        "timer_remaining": None,
        "step": None,
    }
    if item is None:
        return context
    # The session partials post here; the interview card gives its own addresses.
    context.update(session_urls(session.pk, get_script_prefix()))
    if session.timer_seconds:
        started = session.current_shown_at or now
        elapsed = int((now - started).total_seconds())
        context["timer_remaining"] = max(0, session.timer_seconds - elapsed)
    question = item.question
    if item.revealed_at is None:
        context["reveal_form"] = (
            form
            if isinstance(form, RevealForm)
            else RevealForm(
                initial={"position": item.position, "confidence": session.confidence},
                calculation=question if question.is_calculation else None,
            )
        )
        return context
    key_points = list(question.key_points.all())
    suggested = set(item.key_points_suggested)
    highlighted = set()
    if session.mode == Mode.MISSED_POINTS:
        # The points that brought this question here, as they were before this grade.
        highlighted = set(
            due_points(session.user_id, now)
            .filter(key_point__question_id=item.question_id)
            .values_list("key_point_id", flat=True)
        )
    checked = suggested if ticked is None else set(ticked)
    point_rows = [
        {
            "point": kp,
            "suggested": kp.pk in suggested,
            "checked": kp.pk in checked,
            "missed": kp.pk in highlighted,
        }
        for kp in key_points
    ]
    ticked_count = sum(row["checked"] for row in point_rows)
    card, scheduler = scheduling.card_and_scheduler(
        user_id=session.user_id, question_id=item.question_id, fuzz=False
    )
    intervals = scheduling.preview_intervals(
        card, question_id=item.question_id, now=now, scheduler=scheduler
    )
    calculation = calculation_result(item)
    if calculation and calculation["correct"] is not None:
        suggestion = Grade.GOOD if calculation["correct"] else Grade.AGAIN
    else:
        suggestion = suggested_grade(ticked_count, len(key_points))
    context.update(
        grade_form=GradeForm(initial={"position": item.position}, item=item),
        key_points=key_points,
        point_rows=point_rows,
        ticked_count=ticked_count,
        restored_ticks=ticked is not None,
        suggested_count=sum(row["suggested"] for row in point_rows),
        calculation=calculation,
        suggestion=suggestion,
        leech=card is not None and card.is_leech,
        lapses=card.lapses if card else 0,
        grades=[
            {
                "value": grade.value,
                "label": grade.label,
                "css": GRADE_CLASSES[grade],
                "interval": scheduling.humanize_interval(intervals[grade.value]),
                "suggested": grade.value == suggestion,
            }
            for grade in Grade
        ],
    )
    return context


def with_unit(value: float, unit: str) -> str:
    return f"{format_number(value)} {unit}".strip()


def calculation_result(item: SessionItem) -> dict | None:
    """What the reveal says about a calculation's typed number (None for recall)."""
    question = item.question
    if not question.is_calculation or question.expected is None:
        return None
    expected = with_unit(question.expected, question.unit)
    check = item.number_check
    if check.correct is None:
        return {"correct": None, "message": f"You did not type a number. Expected {expected}."}
    if check.correct:
        return {"correct": True, "message": f"Correct: {with_unit(check.value, question.unit)}."}
    said = with_unit(check.value, question.unit)
    return {"correct": False, "message": f"Expected {expected}, you said {said}."}


def summary_context(session) -> dict:
    items = list(session.items.select_related("question__topic"))
    grades = dict(session.answers.values_list("question_id", "grade"))
    rows = [
        {
            "item": item,
            "grade": grades.get(item.question_id),
            "grade_label": Grade(grades[item.question_id]).label
            if item.question_id in grades
            else "Not graded",
            "grade_css": GRADE_CLASSES.get(grades.get(item.question_id), ""),
        }
        for item in items
    ]
    missed = sum(1 for row in rows if row["grade"] == Grade.AGAIN)
    return {
        "session": session,
        "can_undo": bool(session.last_answer_id) and not session.is_abandoned and undoable(session),
        "rows": rows,
        "missed": missed,
        "duration": session_duration_in_words(session),
    }
