"""The numbers on a learner's dashboard.

Every figure comes from a fixed handful of queries whatever the history:
the per-day roll-up (DailyActivity, at most one row a day), the learner's
scheduling cards (at most one per question; accounts.readiness) and recent sessions.
The card and plan figures are cached until the learner grades, their day rolls over
or schedule_changed() says their schedule moved without a grade.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from accounts.models import DailyActivity
from accounts.readiness import (
    FORECAST_DAYS,
    card_figures,
    due_later_today,
    due_now,
    planned_recall,
    reviews_per_day,
)
from quizzes.models import Card, PracticeSession, Status
from quizzes.scheduling import (
    days_remembered,
    decay_of,
    interview_start,
    local_day,
    schedule_version,
    scheduler_for,
)
from quizzes.scheduling import schedule_changed as schedule_changed  # its callers' old address

HEATMAP_DAYS = 365
SCORE_SESSIONS = 30
ROLLING_WINDOW = 7
WEEKS = 12


@dataclass
class Streaks:
    current: int
    longest: int


def streaks(active_days: list[date], today: date) -> Streaks:
    """Runs of consecutive days with at least one answer.

    The current streak is still alive when the last active day is yesterday:
    today is not over yet.
    """
    longest = run = 0
    previous = None
    for day in active_days:
        run = run + 1 if previous and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = run if previous and (today - previous).days <= 1 else 0
    return Streaks(current=current, longest=longest)


@dataclass
class Dashboard:
    today: date
    sessions: int
    answered: int
    recalled: int
    streaks: Streaks
    due_today: int  # the forecast's today: due now, overdue and later today
    answered_today: int
    daily_goal: int
    score_points: list = field(default_factory=list)
    weekly: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    heatmap: list = field(default_factory=list)
    forecast: list = field(default_factory=list)
    interview_date: date | None = None
    # The moment readiness is projected at: the start of the interview day, the moment
    # the plan finishes its reviews by (quizzes.scheduling.interview_start).
    interview_at: datetime | None = None
    readiness: list = field(default_factory=list)
    reviews_per_day: int | None = None
    pace: object = None  # planner.plan.Pace: new questions a day for the interview plan
    leeches: list = field(default_factory=list)
    retention_table: list = field(default_factory=list)
    desired_retention: float = 0.9
    projected_percent: int | None = None  # every topic, on the interview day, stopping now
    planned_percent: int | None = None  # the same, keeping to the plan
    # Due at or before now, as practice and the library count; and the rest of due_today.
    due_now: int = 0
    due_later_today: int = 0

    @property
    def new_per_day_text(self) -> str | None:
        if self.pace is None or not self.pace.unseen:
            return None
        return (
            f"To see all {self.pace.total} questions by {self.pace.seen_by.day} "
            f"{self.pace.seen_by:%B}: {self.pace.per_day} new a day"
        )

    @property
    def recall_percent(self) -> int | None:
        return round(100 * self.recalled / self.answered) if self.answered else None

    @property
    def is_empty(self) -> bool:
        return self.answered == 0 and self.sessions == 0

    @property
    def goal_met(self) -> bool:
        return self.answered_today >= self.daily_goal


def build_dashboard(*, user, profile, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    zone = profile.zone
    today = local_day(now, zone)

    activity = list(
        DailyActivity.objects.filter(user=user)
        .order_by("day")
        .values_list("day", "answers", "recalled")
    )
    by_day = {day: (answers, recalled) for day, answers, recalled in activity}
    answered = sum(a for _, a, _ in activity)
    recalled = sum(r for _, _, r in activity)

    dashboard = Dashboard(
        today=today,
        sessions=PracticeSession.objects.filter(user=user).finished().count(),
        answered=answered,
        recalled=recalled,
        streaks=streaks([day for day, answers, _ in activity if answers], today),
        due_today=0,
        answered_today=by_day.get(today, (0, 0))[0],
        daily_goal=profile.daily_goal,
        interview_date=profile.interview_date,
    )
    dashboard.heatmap = _heatmap(by_day, today)
    dashboard.weekly = _weekly(by_day, today)
    dashboard.score_points = _score_points(user, zone)
    if profile.interview_date and profile.interview_date >= today:
        dashboard.interview_at = interview_start(profile)
    version = schedule_version(user.pk)
    scheduler = scheduler_for(profile)
    _cards_and_topics(
        dashboard, user=user, profile=profile, now=now, version=version, scheduler=scheduler
    )
    _plan_and_leeches(
        dashboard, user=user, profile=profile, now=now, version=version, scheduler=scheduler
    )
    return dashboard


LEECHES_SHOWN = 10
# The card figures change only when the learner grades (the count of answers
# moves), when their day rolls over, when their schedule changes without a grade
# (scheduling.schedule_changed: the version), or when editors publish; the cache key
# covers the first three and the timeout bounds the last.
CARD_FIGURES_TIMEOUT = 300


def _plan_and_leeches(
    dashboard: Dashboard, *, user, profile, now: datetime, version, scheduler
) -> None:
    dashboard.desired_retention = profile.desired_retention
    key = (
        f"dashboard-plan:{user.pk}:{profile.zone.key}:{dashboard.today}:{dashboard.answered}"
        f":{dashboard.interview_date}:{version}"
    )
    dashboard.pace, dashboard.leeches, dashboard.retention_table, syllabus = cache.get_or_set(
        key, lambda: _plan_figures(dashboard, user=user, profile=profile, now=now),
        CARD_FIGURES_TIMEOUT,
    )  # fmt: skip
    if dashboard.readiness:
        decay = decay_of(scheduler.parameters)
        for row in dashboard.readiness:
            row.planned_recall = planned_recall(
                row,
                in_syllabus=not syllabus or row.topic.pk in syllabus,
                first_stability=scheduler.parameters[2],
                decay=decay,
            )
        total = sum(row.total for row in dashboard.readiness)
        planned = sum((row.planned_recall or 0) * row.total for row in dashboard.readiness)
        dashboard.planned_percent = round(100 * planned / total) if total else None
        dashboard.readiness.sort(key=lambda row: (row.planned_recall, row.projected_recall))


def _plan_figures(dashboard: Dashboard, *, user, profile, now: datetime):
    """The interview plan's pace, the leeches and the true-retention table: cached with
    the card figures, as they change only with a grade, the day or the schedule."""
    from planner.models import ParameterFit
    from planner.plan import allowance

    plan = None
    syllabus = []
    # Only a date still ahead has a pace: skip the allowance's queries otherwise.
    if dashboard.interview_date and dashboard.interview_date > dashboard.today:
        today = allowance(user=user, profile=profile, now=now)
        plan, syllabus = today.pace, today.syllabus
    leeches = list(
        Card.objects.filter(user=user, question__status=Status.PUBLISHED)
        .leeches()
        .select_related("question__topic")
        .order_by("-lapses")[:LEECHES_SHOWN]
    )
    fit = ParameterFit.objects.for_user(user).latest_first().first()
    return plan, leeches, fit.retention_table if fit else [], syllabus


def _heatmap(by_day: dict, today: date) -> list[dict]:
    start = today - timedelta(days=HEATMAP_DAYS - 1)
    cells = []
    for offset in range(HEATMAP_DAYS):
        day = start + timedelta(days=offset)
        answers = by_day.get(day, (0, 0))[0]
        level = 0 if not answers else min(4, 1 + int(math.log2(answers) // 1.5))
        cells.append({"day": day, "answers": answers, "level": level})
    return cells


def _weekly(by_day: dict, today: date) -> list[dict]:
    """Recall rate per week (weeks start on Monday), the last WEEKS weeks."""
    this_monday = today - timedelta(days=today.weekday())
    weeks = []
    for back in range(WEEKS - 1, -1, -1):
        monday = this_monday - timedelta(weeks=back)
        answers = recalled = 0
        for offset in range(7):
            a, r = by_day.get(monday + timedelta(days=offset), (0, 0))
            answers += a
            recalled += r
        rate = round(100 * recalled / answers) if answers else None
        weeks.append(
            {"week": monday, "label": _day_label(monday), "answers": answers, "rate": rate}
        )
    return weeks


def _day_label(day: date) -> str:
    # Labels for a few hundred chart points: strftime, as the template's localised
    # date filter was a fifth of the dashboard's time.
    return f"{day.day} {day:%b %Y}"


def _score_points(user, zone) -> list[dict]:
    # Practice sessions only: a mock interview's session counts its recall share, not the
    # interview's score, and the interviews have their own trend (interviews.dashboard).
    recent = list(
        PracticeSession.objects.filter(user=user, answered__gt=0, interview__isnull=True)
        .finished()
        .order_by("-finished_at")
        .values_list("finished_at", "answered", "recalled")[:SCORE_SESSIONS]
    )
    recent.reverse()
    points = []
    scores = []
    for finished_at, answered, recalled in recent:
        score = round(100 * recalled / answered)
        scores.append(score)
        window = scores[-ROLLING_WINDOW:]
        points.append(
            {
                "at": finished_at,
                "label": _day_label(timezone.localtime(finished_at, zone).date()),
                "score": score,
                "average": round(sum(window) / len(window)),
            }
        )
    return points


def _cards_and_topics(
    dashboard: Dashboard, *, user, profile, now: datetime, version, scheduler
) -> None:
    zone = profile.zone
    decay = decay_of(scheduler.parameters)
    interview_at = dashboard.interview_at
    key = (
        f"dashboard-cards:v2:{user.pk}:{zone.key}:{dashboard.today}:{dashboard.answered}"
        f":{interview_at and interview_at.isoformat()}:{decay}:{version}"
    )
    rows, due_by_day, later_today = cache.get_or_set(
        key,
        lambda: card_figures(user=user, zone=zone, today=dashboard.today, now=now,
                             interview_at=interview_at, decay=decay),
        CARD_FIGURES_TIMEOUT,
    )  # fmt: skip
    dashboard.due_today = due_by_day[dashboard.today]
    dashboard.due_now = due_now(dashboard.due_today, later_today, now)
    dashboard.due_later_today = due_later_today(later_today, now)
    dashboard.forecast = [
        {"day": day, "label": f"{day:%a} {_day_label(day)}", "count": due_by_day[day]}
        for day in (dashboard.today + timedelta(days=n) for n in range(FORECAST_DAYS))
    ]
    for row in rows:
        if row.seen:
            row.remembered_days = days_remembered(
                row.stability_sum / row.seen,
                scheduler=scheduler,
                retention=profile.desired_retention,
            )
    dashboard.topics = sorted(rows, key=lambda row: row.sort_key)
    if interview_at:
        total = sum(row.total for row in rows)
        projected = sum(row.projected_sum for row in rows)
        dashboard.projected_percent = round(100 * projected / total) if total else None
        dashboard.readiness = sorted(rows, key=lambda row: row.projected_recall)
        dashboard.reviews_per_day = reviews_per_day(
            interview_date=dashboard.interview_date, today=dashboard.today, rows=rows
        )
