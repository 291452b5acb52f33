"""What the practice templates show, computed in a fixed number of queries."""

from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from quizzes import scheduling
from quizzes.forms import RevealForm
from quizzes.models import Card, Grade, SessionItem

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


def card_context(session, *, error=None, form=None, next_item=_UNKNOWN) -> dict:
    """The current question's card; `next_item` saves a query when the caller has it."""
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
        "progress_percent": round(100 * session.answered / session.size) if session.size else 0,
    }
    if item is None:
        return context
    # The session partials post here; the interview card gives its own addresses.
    context["reveal_url"] = reverse("practice_reveal", args=[session.pk])
    context["grade_url"] = reverse("practice_grade", args=[session.pk])
    if session.timer_seconds:
        started = session.current_shown_at or now
        elapsed = int((now - started).total_seconds())
        context["timer_remaining"] = max(0, session.timer_seconds - elapsed)
    if item.revealed_at is None:
        context["reveal_form"] = (
            form
            if isinstance(form, RevealForm)
            else RevealForm(initial={"position": item.position})
        )
        return context
    key_points = list(item.question.key_points.all())
    card = Card.objects.filter(user_id=session.user_id, question_id=item.question_id).first()
    profile = Profile.objects.filter(user_id=session.user_id).first()
    intervals = scheduling.preview_intervals(
        card,
        question_id=item.question_id,
        now=now,
        scheduler=scheduling.scheduler_for(profile, fuzz=False),
    )
    suggestion = suggested_grade(0, len(key_points))
    context.update(
        key_points=key_points,
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
    duration = (session.finished_at or timezone.now()) - session.started_at
    return {
        "session": session,
        "rows": rows,
        "missed": missed,
        "duration_minutes": max(1, round(duration.total_seconds() / 60)),
        "duration": duration,
    }
