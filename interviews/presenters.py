"""What the interview card shows: the practice card's context plus the two clocks."""

from datetime import datetime

from django.urls import reverse

from interviews.models import Interview, InterviewStep
from quizzes.forms import RevealForm
from quizzes.presenters import card_context


def clock(seconds: int) -> str:
    """4:05 for 245 seconds; what the page shows before (or without) its script."""
    seconds = abs(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def step_context(interview: Interview, step: InterviewStep, *, now: datetime, form=None) -> dict:
    session = interview.session
    if step.is_follow_up:
        context = {"session": session, "item": step.item}
        if step.revealed_at is None:
            context["reveal_form"] = (
                form
                if isinstance(form, RevealForm)
                else RevealForm(initial={"position": step.position})
            )
    else:
        # The practice card's own context (key points, grades and their intervals), so
        # what practice adds to its card reaches the interview's too.
        context = card_context(session, form=form, next_item=step.item)
    elapsed = int((now - step.shown_at).total_seconds()) if step.shown_at else 0
    # Negative once the budget is spent: the page counts the overtime up from there.
    left = step.budget_seconds - elapsed
    total_left = interview.seconds_left(now)
    context.update(
        interview=interview,
        step=step,
        reveal_url=reverse("interview_reveal", args=[interview.pk]),
        grade_url=reverse("interview_grade", args=[interview.pk]),
        follow_up_url=reverse("interview_follow_up", args=[interview.pk]),
        number=step.position + 1,
        step_left=left,
        step_clock=clock(left),
        budget_clock=clock(step.budget_seconds),
        overtime=max(0, -left),
        total_left=total_left,
        total_clock=clock(total_left),
    )
    return context
