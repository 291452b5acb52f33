"""The learner's data export: everything PrepSite holds about them, as one JSON document.

Kept apart from accounts.services (the account's writes): it only reads, and it reads
every app's rows about the learner.
"""

import datetime
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch

from accounts.models import DailyActivity, LoginSession, Profile
from accounts.services import get_profile
from interviews.export import interview_data
from quizzes.models import (
    Answer,
    Card,
    Grade,
    KeyPoint,
    KeyPointMemory,
    PracticeSession,
    Report,
    SessionItem,
    UserQuestion,
)
from reminders.models import Delivery, ReminderSettings


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: uuid.UUID) -> str:
    return str(value)


def export_user_data(user: AbstractBaseUser) -> dict[str, Any]:
    """Everything PrepSite holds about the learner, ready for json.dumps.

    A fixed number of queries however much they practised: the profile, the
    sessions with their topics and items, the answers with their questions,
    the ticked and suggested key points, the record of each key point hit or
    missed, the cards, the daily activity, the reports, the learner's bookmarks,
    suspensions and notes, their schedule, mock interviews, reminder settings and
    emails, and when each of their log-in sessions began.
    """
    profile = get_profile(user)
    sessions = list(
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
    items = [item for session in sessions for item in session.items.all()]
    listed = [answer.key_points_ticked for answer in answers]
    listed += [record.key_points_suggested for record in [*answers, *items]]
    point_ids = {pk for ids in listed for pk in ids if isinstance(pk, int)}
    key_point_texts = dict(
        KeyPoint.objects.filter(pk__in=point_ids).values_list("pk", "text") if point_ids else []
    )

    def texts(point_ids: list) -> list[str]:
        # A key point deleted since is left out.
        return [key_point_texts[pk] for pk in point_ids if pk in key_point_texts]

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
                "confidence": session.confidence,
                "current_question_shown_at": _iso(session.current_shown_at),
                # An abandoned session is never scored.
                "score": None if session.is_abandoned else session.score_percent,
                "items": [
                    {
                        "position": item.position,
                        "question": item.question.key,
                        "revealed_at": _iso(item.revealed_at),
                        "typed_answer": item.typed_answer,
                        "confidence": item.confidence,
                        "key_points_suggested": texts(item.key_points_suggested),
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
                "key_points_ticked": texts(answer.key_points_ticked),
                "key_points_suggested": texts(answer.key_points_suggested),
                "typed_answer": answer.typed_answer,
                "confidence": answer.confidence,
                "number_correct": answer.number_correct,
                "seconds_to_reveal": answer.seconds_to_reveal,
                "seconds_to_grade": answer.seconds_to_grade,
                "answered_at": _iso(answer.answered_at),
                # What the grade changed: the card as it was before it (None for a first
                # answer) and when the question was put on screen.
                "card_before": (answer.before or {}).get("card"),
                "shown_at": (answer.before or {}).get("shown_at"),
            }
            for answer in answers
        ],
        "key_points": _key_point_export(user),
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
        "reminder_emails": _reminder_emails_export(user),
        # When each session the learner is still logged in with began; the session's key
        # is a credential and stays out.
        "logged_in_since": [
            _iso(started)
            for started in LoginSession.objects.filter(user=user)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        ],
        "mock_interviews": interview_data(user),
    }


def _key_point_export(user) -> list[dict[str, Any]]:
    """Each key point's record of hits and misses ("Missed key points" practises from it)."""
    memories = (
        KeyPointMemory.objects.filter(user=user)
        .select_related("key_point__question")
        .order_by("key_point__question__key", "key_point__order", "key_point_id")
    )
    return [
        {
            "question": memory.key_point.question.key,
            "key_point": memory.key_point.text,
            "hits": memory.hits,
            "misses": memory.misses,
            "streak": memory.streak,
            "last_seen": _iso(memory.last_seen),
            "due": _iso(memory.due),
        }
        for memory in memories
    ]


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


def _reminder_emails_export(user) -> list[dict[str, Any]]:
    """Every reminder and weekly email PrepSite sent, or meant to send, the learner.

    A failed send's error is left out: it is the mail server's words about our own
    set-up, not something about the learner.
    """
    deliveries = Delivery.objects.filter(user=user).order_by("day", "kind")
    return [
        {
            "kind": delivery.kind,
            "day": _iso(delivery.day),
            "state": delivery.state,
            "attempts": delivery.attempts,
            "created_at": _iso(delivery.created_at),
            "sent_at": _iso(delivery.sent_at),
        }
        for delivery in deliveries
    ]
