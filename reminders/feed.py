"""The learner's review load as an iCalendar feed, for their own calendar app."""

from datetime import datetime, timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from accounts.services import get_profile
from quizzes.models import Card
from quizzes.scheduling import local_day
from reminders.emails import absolute, seconds_per_question

FEED_DAYS = 30


def review_calendar(user, *, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    profile = get_profile(user)
    zone = profile.zone
    today = local_day(now, zone)
    horizon = now + timedelta(days=FEED_DAYS)
    # Grouped by day in SQL, as the dashboard's forecast is (overdue ones fall today).
    due_by_day = (
        Card.objects.filter(user=user)
        .in_practice()
        .due_per_day(zone=zone, today=today, before=horizon)
    )
    pace = seconds_per_question(user, now=now)
    practice_url = absolute("/practice/")

    calendar = Calendar()
    calendar.add("prodid", "-//PrepSite//Review calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "PrepSite reviews")
    for day, count in sorted(due_by_day.items()):
        minutes = max(1, round(count * pace / 60))
        event = Event()
        event.add("uid", f"reviews-{user.pk}-{day.isoformat()}@prepsite")
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"PrepSite: {count} review{'s' if count != 1 else ''} due")
        event.add("description", f"About {minutes} min. {practice_url}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    if profile.interview_date:
        event = Event()
        event.add("uid", f"interview-{user.pk}@prepsite")
        event.add("dtstamp", now)
        event.add("dtstart", profile.interview_date)
        event.add("dtend", profile.interview_date + timedelta(days=1))
        event.add("summary", "Interview day (PrepSite)")
        calendar.add_component(event)
    return calendar.to_ical()
