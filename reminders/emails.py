"""The reminder and weekly emails: a plain-text part, a simple HTML part, unsubscribe headers."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Avg, F, Sum
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import DailyActivity
from accounts.services import get_profile
from accounts.stats import build_dashboard
from quizzes.models import Answer, Card
from reminders.models import Delivery, ReminderSettings
from reminders.tokens import make_unsubscribe_token

# Used until the learner has timings of their own.
DEFAULT_SECONDS_PER_QUESTION = 90
TIMING_WINDOW = timedelta(days=30)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def seconds_per_question(user, *, now: datetime) -> float:
    """The learner's own average time per question over the last month."""
    average = Answer.objects.filter(
        user=user,
        answered_at__gte=now - TIMING_WINDOW,
        seconds_to_reveal__isnull=False,
        seconds_to_grade__isnull=False,
    ).aggregate(seconds=Avg(F("seconds_to_reveal") + F("seconds_to_grade")))["seconds"]
    return average or DEFAULT_SECONDS_PER_QUESTION


def build(delivery: Delivery, *, now: datetime) -> EmailMultiAlternatives | None:
    """The message for a recorded delivery, or None if it should no longer be sent."""
    user = delivery.user
    wanted = ReminderSettings.objects.filter(user=user).values_list("daily", "weekly").first()
    if not user.email or not user.is_active or wanted is None:
        return None
    daily, weekly = wanted
    if delivery.kind == Delivery.Kind.DAILY:
        return _daily(delivery, now=now) if daily else None
    return _weekly(delivery, now=now) if weekly else None


def _daily(delivery: Delivery, *, now: datetime) -> EmailMultiAlternatives | None:
    user = delivery.user
    profile = get_profile(user)
    due = Card.objects.filter(user=user, due__lte=now).in_practice().count()
    answered = (
        DailyActivity.objects.filter(user=user, day=delivery.day)
        .values_list("answers", flat=True)
        .first()
    ) or 0
    goal_left = max(0, profile.daily_goal - answered)
    if not due and not goal_left:
        return None
    count = due or goal_left
    minutes = max(1, round(count * seconds_per_question(user, now=now) / 60))
    if due:
        subject = f"{due} review{'s' if due != 1 else ''} due now, about {minutes} min"
    else:
        subject = f"{goal_left} question{'s' if goal_left != 1 else ''} to reach today's goal"
    context = {
        "name": str(profile),
        "due": due,
        "goal_left": goal_left,
        "minutes": minutes,
        "practice_url": absolute(reverse("practice_start")),
    }
    return _message(delivery, subject, "reminders/email/daily", context)


def _weekly(delivery: Delivery, *, now: datetime) -> EmailMultiAlternatives:
    user = delivery.user
    profile = get_profile(user)
    dashboard = build_dashboard(user=user, profile=profile, now=now)
    week = DailyActivity.objects.filter(
        user=user, day__gte=delivery.day - timedelta(days=7), day__lt=delivery.day
    ).aggregate(answers=Sum("answers"), recalled=Sum("recalled"))
    answers, recalled = week["answers"] or 0, week["recalled"] or 0
    practised = [row for row in dashboard.topics if row.recall_rate is not None]
    readiness = dashboard.projected_percent if dashboard.readiness else None
    context = {
        "name": str(profile),
        "answers": answers,
        "recall": round(100 * recalled / answers) if answers else None,
        "streak": dashboard.streaks.current,
        "interview_date": dashboard.interview_date if readiness is not None else None,
        "readiness": readiness,
        "weakest": practised
        and {"name": practised[0].topic.name, "recall": round(100 * practised[0].recall_rate)},
        "dashboard_url": absolute(reverse("dashboard")),
        "practice_url": absolute(reverse("practice_start")),
    }
    subject = f"Your week on PrepSite: {answers} question{'s' if answers != 1 else ''} answered"
    return _message(delivery, subject, "reminders/email/weekly", context)


def _message(delivery: Delivery, subject: str, template: str, context: dict):
    token = make_unsubscribe_token(user_id=delivery.user_id, kind=delivery.kind)
    unsubscribe_url = absolute(reverse("unsubscribe", args=[token]))
    context = {
        **context,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": absolute(reverse("profile")),
        "kind": delivery.get_kind_display().lower(),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[delivery.user.email],
        headers={
            # RFC 8058: mail providers' own "Unsubscribe" button posts here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
