"""Writes about one learner's account: sign-up, profile, log-in sessions, deletion.

The data export is accounts.export; the lock-out name is beside the log-in backend.
"""

import datetime
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import activity
from accounts.models import LoginSession, Profile

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
        activity.rebuild(user=user, zone=profile.zone)
    if plan_changed and interview_date:
        # Imported here: the planner builds on this module.
        from planner.services import apply_plan

        apply_plan(profile=profile)
    return profile


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
