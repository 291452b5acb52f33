"""Who is owed an email at a given instant: a fixed number of queries, however many learners."""

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q

from accounts.models import DailyActivity, Profile
from quizzes.models import Card
from reminders.models import Delivery, ReminderSettings

# An email goes out in the hour the learner chose, or up to two hours late: that
# covers a sender that was down for a while and the hour a DST change skips.
SEND_WINDOW_HOURS = 3
WEEKLY_ON = 0  # Monday
DEFAULT_GOAL = Profile._meta.get_field("daily_goal").default


@dataclass(frozen=True)
class Recipient:
    user_id: int
    kind: str
    day: date


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def in_window(local: datetime, hour: int) -> bool:
    return hour <= local.hour < hour + SEND_WINDOW_HOURS


def recipients(now: datetime) -> list[Recipient]:
    """Learners owed a daily reminder or a weekly email at `now` that have not had it.

    A daily reminder only goes on a day with reviews due or the daily goal unmet.
    """
    candidates = []
    goals = {}
    for user_id, daily, weekly, hour, zone_name, goal in (
        ReminderSettings.objects.filter(Q(daily=True) | Q(weekly=True), user__is_active=True)
        .exclude(user__email="")
        .values_list(
            "user_id", "daily", "weekly", "hour", "user__profile__time_zone",
            "user__profile__daily_goal",
        )
    ):  # fmt: skip
        local = now.astimezone(_zone(zone_name or "UTC"))
        if not in_window(local, hour):
            continue
        if daily:
            candidates.append(Recipient(user_id, Delivery.Kind.DAILY, local.date()))
            # Accounts made outside sign-up have no profile yet: its defaults apply.
            goals[user_id] = DEFAULT_GOAL if goal is None else goal
        if weekly and local.weekday() == WEEKLY_ON:
            candidates.append(Recipient(user_id, Delivery.Kind.WEEKLY, local.date()))
    if not candidates:
        return []

    user_ids = {candidate.user_id for candidate in candidates}
    days = {candidate.day for candidate in candidates}
    already = set(
        Delivery.objects.filter(user_id__in=user_ids, day__in=days).values_list(
            "user_id", "kind", "day"
        )
    )
    daily_ids = set(goals)
    due = dict(
        Card.objects.filter(user_id__in=daily_ids, due__lte=now)
        .in_practice()
        .values("user_id")
        .annotate(count=Count("id"))
        .values_list("user_id", "count")
    )
    answered = {
        (user_id, day): answers
        for user_id, day, answers in DailyActivity.objects.filter(
            user_id__in=daily_ids, day__in=days
        ).values_list("user_id", "day", "answers")
    }

    def owed(candidate: Recipient) -> bool:
        if (candidate.user_id, candidate.kind, candidate.day) in already:
            return False
        if candidate.kind == Delivery.Kind.WEEKLY:
            return True
        goal_unmet = answered.get((candidate.user_id, candidate.day), 0) < goals[candidate.user_id]
        return due.get(candidate.user_id, 0) > 0 or goal_unmet

    return [candidate for candidate in candidates if owed(candidate)]
