"""Writes and reads about one learner's account: sign-up, profile, export, deletion."""

import datetime
import uuid
from importlib import import_module
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts import activity
from accounts.models import DailyActivity, LoginSession, Profile
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

User = get_user_model()


def get_profile(user: AbstractBaseUser) -> Profile:
    """The learner's profile, made with the defaults if they have none yet.

    Accounts made by `createsuperuser` or other commands skip sign-up and so
    have no profile until something asks for it.
    """
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


class IdentityTaken(Exception):
    """Someone else took the username or email (in some case) since the form checked it."""


def create_learner(*, username: str, email: str, password: str, time_zone: str = "UTC"):
    """A new learner with their profile; the form has already validated every value.

    The form's check that the username and email are free can race with a concurrent
    sign-up; the database's case-insensitive unique indexes decide, and the loser gets
    IdentityTaken.
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            Profile.objects.create(user=user, time_zone=time_zone)
    except IntegrityError as exc:
        raise IdentityTaken from exc
    return user


@transaction.atomic
def update_profile(
    *,
    user: AbstractBaseUser,
    email: str,
    display_name: str,
    time_zone: str,
    interview_date: datetime.date | None,
    daily_goal: int,
) -> Profile:
    get_profile(user)  # makes one for an account that has none
    # Locked: a grade recorded meanwhile must not count under the old zone after the
    # roll-up has been re-counted (the lock rule of accounts.activity).
    profile = Profile.objects.select_for_update().get(user=user)
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])
    zone_changed = profile.time_zone != time_zone
    plan_changed = profile.interview_date != interview_date or zone_changed
    profile.display_name = display_name
    profile.time_zone = time_zone
    profile.interview_date = interview_date
    profile.daily_goal = daily_goal
    profile.full_clean(exclude=["user"])
    profile.save()
    if zone_changed:
        rebuild_daily_activity(user=user, zone=profile.zone)
    if plan_changed and interview_date:
        # Imported here: the planner builds on this module.
        from planner.services import apply_plan

        apply_plan(profile=profile)
    return profile


def rebuild_daily_activity(*, user: AbstractBaseUser, zone: datetime.tzinfo) -> None:
    """Count the learner's answers again by local day in `zone` (accounts.activity.rebuild);
    call it with the learner's profile row locked, as update_profile does."""
    activity.rebuild(user=user, zone=zone)


def _lockout_names(user: AbstractBaseUser) -> Q:
    # django-axes stores what lockout_username returns: the lower-cased username, or a
    # typed email address; AccessLog keeps the name as typed. Any case of either is theirs.
    names = Q(username__iexact=user.get_username())
    if user.email:
        names |= Q(username__iexact=user.email)
    return names


def delete_account(*, user: AbstractBaseUser) -> None:
    """Delete the learner and everything PrepSite holds about them.

    The database cascades from the user to the profile, practice sessions and
    their items, answers, cards, daily activity and reports. The log-in
    records django-axes keeps name the user only by username, so they go here,
    and so does every session the learner is logged in with, on any device.
    """
    with transaction.atomic():
        session_keys = list(user.login_sessions.values_list("session_key", flat=True))
        names = _lockout_names(user)
        user.delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(names).delete()
    # Outside the transaction: the cache session store is not rolled back with it.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()


def lift_lockout(*, user: AbstractBaseUser) -> int:
    """End a lock-out of the learner's account from every address, as a password reset does.

    The reset proves the learner owns the account's email; the failed attempts that
    locked it may have come from anyone. Returns how many attempt records were removed.
    """
    deleted, _ = AccessAttempt.objects.filter(_lockout_names(user)).delete()
    return deleted


def record_login_session(*, user: AbstractBaseUser, session_key: str) -> None:
    """Note the session the learner is now logged in with (see LoginSession)."""
    expired = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    LoginSession.objects.filter(user=user, created_at__lt=expired).delete()
    LoginSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def forget_login_session(*, session_key: str | None) -> None:
    if session_key:
        LoginSession.objects.filter(session_key=session_key).delete()


def lockout_username(request, credentials: dict | None) -> str | None:
    """The name django-axes counts failed log-ins under (AXES_USERNAME_CALLABLE).

    The log-in takes the username or the email address in any case, so "Ada",
    "ada" and "ada@example.com" are one account; counting them apart would let
    someone multiply the failure limit by varying what they type.
    """
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    if not typed:
        return None
    typed = typed.strip().lower()
    if "@" in typed:
        username = (
            User._default_manager.filter(email__iexact=typed)
            .order_by("pk")
            .values_list("username", flat=True)
            .first()
        )
        if username:
            return username.lower()
    return typed


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: uuid.UUID) -> str:
    return str(value)


def export_user_data(user: AbstractBaseUser) -> dict[str, Any]:
    """Everything PrepSite holds about the learner, ready for json.dumps.

    A fixed number of queries however much they practised: the profile, the
    sessions with their topics and items, the answers with their questions,
    the ticked key points, the cards, the daily activity, the reports and the
    learner's bookmarks, suspensions and notes.
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
