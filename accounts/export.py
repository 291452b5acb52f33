"""The learner's data export: everything PrepSite holds about them, as one JSON document.

Kept apart from accounts.services (the account's writes): it only reads, and it reads
every app's rows about the learner.
"""

import datetime
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch

from accounts.models import DailyActivity, Profile
from accounts.services import get_profile
from interviews.export import interview_data
from quizzes.models import (
    Answer,
    Card,
    Grade,
    KeyPoint,
    PracticeSession,
    Report,
    SessionItem,
    UserQuestion,
)
from reminders.models import ReminderSettings


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: uuid.UUID) -> str:
    return str(value)


def export_user_data(user: AbstractBaseUser) -> dict[str, Any]:
    """Everything PrepSite holds about the learner, ready for json.dumps.

    A fixed number of queries however much they practised: the profile, the
    sessions with their topics and items, the answers with their questions,
    the ticked key points, the cards, the daily activity, the reports, the
    learner's bookmarks, suspensions and notes, and their reminder settings.
    """
    profile = get_profile(user)
    sessions = (
        PracticeSession.objects.filter(user=user)
        .order_by("started_at")
        .prefetch_related(
            "topics",
            Prefetch(
                "items",
                queryset=SessionItem.objects.select_related("question").order_by("position"),
            ),
        )
    )
    answers = list(
        Answer.objects.filter(user=user).select_related("question").order_by("answered_at", "pk")
    )
    ticked_ids = {
        point_id
        for answer in answers
        for point_id in answer.key_points_ticked
        if isinstance(point_id, int)
    }
    key_point_texts = dict(
        KeyPoint.objects.filter(pk__in=ticked_ids).values_list("pk", "text") if ticked_ids else []
    )
    cards = Card.objects.filter(user=user).select_related("question").order_by("question__key")
    reports = Report.objects.filter(user=user).select_related("question").order_by("created_at")

    return {
        "user": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": _iso(user.date_joined),
        },
        "profile": {
            "display_name": profile.display_name,
            "time_zone": profile.time_zone,
            "interview_date": _iso(profile.interview_date),
            "daily_goal": profile.daily_goal,
        },
        "practice_sessions": [
            {
                "id": _id(session.pk),
                "mode": session.mode,
                "topics": [topic.slug for topic in session.topics.all()],
                "size": session.size,
                "timer_seconds": session.timer_seconds,
                "started_at": _iso(session.started_at),
                "finished_at": _iso(session.finished_at),
                "abandoned_at": _iso(session.abandoned_at),
                "answered": session.answered,
                "recalled": session.recalled,
                # An abandoned session is never scored.
                "score": None if session.is_abandoned else session.score_percent,
                "items": [
                    {
                        "position": item.position,
                        "question": item.question.key,
                        "revealed_at": _iso(item.revealed_at),
                        "typed_answer": item.typed_answer,
                    }
                    for item in session.items.all()
                ],
            }
            for session in sessions
        ],
        "answers": [
            {
                "question": answer.question.key,
                "session": _id(answer.session_id),
                "grade": Grade(answer.grade).label,
                "grade_number": answer.grade,
                "key_points_ticked": [
                    key_point_texts[point_id]
                    for point_id in answer.key_points_ticked
                    if point_id in key_point_texts
                ],
                "typed_answer": answer.typed_answer,
                "seconds_to_reveal": answer.seconds_to_reveal,
                "seconds_to_grade": answer.seconds_to_grade,
                "answered_at": _iso(answer.answered_at),
            }
            for answer in answers
        ],
        "cards": [
            {
                "question": card.question.key,
                "state": card.state,
                "step": card.step,
                "stability": card.stability,
                "difficulty": card.difficulty,
                "due": _iso(card.due),
                "last_review": _iso(card.last_review),
                "reviews": card.reviews,
                "lapses": card.lapses,
            }
            for card in cards
        ],
        "daily_activity": [
            {"day": _iso(day.day), "answers": day.answers, "recalled": day.recalled}
            for day in DailyActivity.objects.filter(user=user).order_by("day")
        ],
        "reports": [
            {
                "question": report.question.key,
                "reason": report.reason,
                "note": report.note,
                "created_at": _iso(report.created_at),
                "resolved_at": _iso(report.resolved_at),
            }
            for report in reports
        ],
        "question_marks": [
            {
                "question": marks.question.key,
                "bookmarked": marks.bookmarked,
                "suspended": marks.suspended,
                "note": marks.note,
                "updated_at": _iso(marks.updated_at),
            }
            for marks in UserQuestion.objects.filter(user=user)
            .select_related("question")
            .order_by("question__key")
        ],
        "schedule": _schedule_export(user, profile),
        "reminders": _reminders_export(user),
        "mock_interviews": interview_data(user),
    }


def _schedule_export(user, profile: Profile) -> dict[str, Any]:
    """The scheduler's settings and every fit of the learner's parameters (issue #16)."""
    from planner.models import ParameterFit

    return {
        "desired_retention": profile.desired_retention,
        "new_per_day": profile.new_per_day,
        "max_reviews_per_day": profile.max_reviews_per_day,
        "fsrs_parameters": profile.fsrs_parameters,
        "syllabus": [topic.slug for topic in profile.syllabus.order_by("slug")],
        "parameter_fits": [
            {
                "fitted_at": _iso(fit.fitted_at),
                "reviews": fit.reviews,
                "parameters": fit.parameters,
                "adopted": fit.adopted,
                "log_loss_default": fit.log_loss_default,
                "log_loss_fitted": fit.log_loss_fitted,
                "rmse_default": fit.rmse_default,
                "rmse_fitted": fit.rmse_fitted,
                "retention_table": fit.retention_table,
            }
            for fit in ParameterFit.objects.for_user(user).order_by("fitted_at")
        ],
    }


def _reminders_export(user) -> dict[str, Any] | None:
    """What the learner asked to be emailed; None if they never opened the settings.

    The calendar feed's token is left out: it is a credential for the feed, not
    something the learner told us, and an export file is easily left lying about.
    """
    found = ReminderSettings.objects.filter(user=user).values("daily", "hour", "weekly").first()
    return found
