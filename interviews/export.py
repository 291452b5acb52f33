"""A learner's mock interviews in their data export (accounts.export.export_user_data)."""

from django.db.models import Prefetch

from interviews.models import Interview, InterviewStep


def _iso(value):
    return value.isoformat() if value else None


def interview_data(user) -> list[dict]:
    """In two queries: the interviews, then their steps with questions and follow-ups."""
    steps = InterviewStep.objects.select_related("item__question", "follow_up").order_by(
        "position", "sub"
    )
    interviews = (
        Interview.objects.filter(user=user)
        .order_by("started_at")
        .prefetch_related(Prefetch("steps", queryset=steps))
    )
    return [
        {
            "session": str(interview.session_id),
            "minutes": interview.minutes,
            "level": interview.level,
            "started_at": _iso(interview.started_at),
            "finished_at": _iso(interview.finished_at),
            "ended_automatically": interview.ended_automatically,
            "score": interview.score_percent,
            "steps": [
                {
                    "question": step.item.question.key,
                    "follow_up": step.follow_up.prompt if step.follow_up else None,
                    "budget_seconds": step.budget_seconds,
                    "shown_at": _iso(step.shown_at),
                    "revealed_at": _iso(step.revealed_at),
                    "time_is_up": step.auto_revealed,
                    "typed_answer": step.typed_answer,
                    "done_at": _iso(step.done_at),
                    "overtime_seconds": step.overtime_seconds,
                    "covered": step.covered,
                }
                for step in interview.steps.all()
            ],
        }
        for interview in interviews
    ]
