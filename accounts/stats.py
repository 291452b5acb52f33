"""The numbers on a learner's dashboard.

Every figure comes from a fixed handful of queries whatever the history:
the per-day roll-up (DailyActivity, at most one row a day), the learner's
scheduling cards (at most one per question) and recent sessions.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F, FloatField, Func, Q, Sum, Value
from django.db.models.functions import Floor, Greatest, Power, TruncDate
from django.utils import timezone

from accounts.models import DailyActivity
from quizzes.models import Card, PracticeSession, Topic
from quizzes.scheduling import SCHEDULER

HEATMAP_DAYS = 365
FORECAST_DAYS = 14
SCORE_SESSIONS = 30
ROLLING_WINDOW = 7
WEEKS = 12
# A topic is "weak" below this predicted recall; readiness aims to bring it here.
TARGET_RECALL = 0.8

# FSRS's forgetting curve, R(t) = (1 + FACTOR * t / S) ** DECAY, from the
# scheduler's own parameters (what fsrs.Scheduler.get_card_retrievability computes);
# each learner's decay is their own (their fitted parameters).
_DECAY = -SCHEDULER.parameters[20]


class EpochDays(Func):
    """A datetime column as days since 1970-01-01, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "(julianday(%(expressions)s) - 2440587.5)"
        return self.as_sql(compiler, connection, template=template, **extra)


def retrievability(at: datetime, decay: float = _DECAY):
    """FSRS retrievability of a card at `at`, as an SQL expression over Card rows.

    The same formula as fsrs.Scheduler.get_card_retrievability (whole days elapsed),
    computed in the database so a learner's thousands of cards become one row a topic.
    `decay` is -parameters[20] of the learner's scheduler.
    """
    factor = 0.9 ** (1 / decay) - 1
    at_days = at.timestamp() / 86400
    elapsed = Greatest(Floor(Value(at_days) - EpochDays("last_review")), Value(0.0))
    return Power(Value(1.0) + Value(factor) * elapsed / F("stability"), Value(decay))


# Keeping to the interview plan, a question's last review is one to three days before
# the day (quizzes.scheduling.planned_due); the projection takes the far end.
PLAN_GAP_DAYS = 3


def recall_after(days: float, decay: float = _DECAY):
    """Recall `days` after a review with each card's current stability, in SQL: a
    cautious projection, as the review itself will make the memory more stable."""
    factor = 0.9 ** (1 / decay) - 1
    return Power(Value(1.0) + Value(factor * days) / F("stability"), Value(decay))


def planned_recall(row, *, in_syllabus: bool, first_stability: float, decay: float) -> float:
    """A topic's recall on the interview day if the learner keeps to the plan: each seen
    question reviewed a few days before; each unseen one of the syllabus learned by then
    (counted at the stability of a first Good, the least it will have); others unseen, 0."""
    if not row.total:
        return 0.0
    factor = 0.9 ** (1 / decay) - 1
    unseen = (row.total - row.seen) if in_syllabus else 0
    fresh = (1 + factor * PLAN_GAP_DAYS / first_stability) ** decay
    return (row.planned_sum + unseen * fresh) / row.total


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
class TopicRow:
    topic: Topic
    total: int
    seen: int = 0
    reviews: int = 0
    lapses: int = 0
    retrievability_sum: float = 0.0
    projected_sum: float = 0.0  # over all questions; unseen count as 0
    stability_sum: float = 0.0
    planned_sum: float = 0.0  # seen questions' recall on the day after the plan's last review
    planned_recall: float | None = None  # set by the caller: whole topic, keeping to the plan
    # Days a seen question of this topic stays above the desired retention after its
    # last review (the scheduler's interval for the average stability); set by the caller.
    remembered_days: float | None = None

    @property
    def recall_rate(self) -> float | None:
        return (self.reviews - self.lapses) / self.reviews if self.reviews else None

    @property
    def average_retrievability(self) -> float | None:
        return self.retrievability_sum / self.seen if self.seen else None

    @property
    def projected_recall(self) -> float:
        return self.projected_sum / self.total if self.total else 0.0

    @property
    def remembered_text(self) -> str:
        days = self.remembered_days
        if days is None:
            return "–"
        if days < 1:
            return "less than a day"
        if days < 60:
            return f"about {round(days)} day{'s' if round(days) != 1 else ''}"
        if days < 730:
            return f"about {round(days / 30)} months"
        return f"about {round(days / 365)} years"

    @property
    def sort_key(self):
        # Weakest first; topics never practised come after those being learned.
        return (self.recall_rate is None, self.recall_rate or 0, self.topic.order)


@dataclass
class Dashboard:
    today: date
    sessions: int
    answered: int
    recalled: int
    streaks: Streaks
    due_today: int
    answered_today: int
    daily_goal: int
    score_points: list = field(default_factory=list)
    weekly: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    heatmap: list = field(default_factory=list)
    forecast: list = field(default_factory=list)
    interview_date: date | None = None
    readiness: list = field(default_factory=list)
    reviews_per_day: int | None = None
    pace: object = None  # planner.plan.Pace: new questions a day for the interview plan
    leeches: list = field(default_factory=list)
    retention_table: list = field(default_factory=list)
    desired_retention: float = 0.9
    projected_percent: int | None = None  # every topic, on the interview day, stopping now
    planned_percent: int | None = None  # the same, keeping to the plan

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
    today = timezone.localtime(now, zone).date()

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
    _cards_and_topics(dashboard, user=user, profile=profile, now=now)
    _plan_and_leeches(dashboard, user=user, profile=profile, now=now)
    return dashboard


LEECHES_SHOWN = 10


def schedule_version_key(user_id: int) -> str:
    return f"schedule-version:{user_id}"


def schedule_changed(user_id: int) -> None:
    """Forget the dashboard's cached plan figures: the learner's schedule settings or
    fitted parameters changed without a new answer (which the cache key would catch)."""
    try:
        cache.incr(schedule_version_key(user_id))
    except ValueError:
        cache.set(schedule_version_key(user_id), 1, None)


def _plan_and_leeches(dashboard: Dashboard, *, user, profile, now: datetime) -> None:
    dashboard.desired_retention = profile.desired_retention
    version = cache.get(schedule_version_key(user.pk), 0)
    key = (
        f"dashboard-plan:{user.pk}:{profile.zone.key}:{dashboard.today}:{dashboard.answered}"
        f":{dashboard.interview_date}:{version}"
    )
    dashboard.pace, dashboard.leeches, dashboard.retention_table, syllabus = cache.get_or_set(
        key, lambda: _plan_figures(dashboard, user=user, profile=profile, now=now),
        CARD_FIGURES_TIMEOUT,
    )  # fmt: skip
    if dashboard.readiness:
        from quizzes.scheduling import scheduler_for

        parameters = scheduler_for(profile).parameters
        for row in dashboard.readiness:
            row.planned_recall = planned_recall(
                row,
                in_syllabus=not syllabus or row.topic.pk in syllabus,
                first_stability=parameters[2],
                decay=-parameters[20],
            )
        total = sum(row.total for row in dashboard.readiness)
        planned = sum((row.planned_recall or 0) * row.total for row in dashboard.readiness)
        dashboard.planned_percent = round(100 * planned / total) if total else None
        dashboard.readiness.sort(key=lambda row: (row.planned_recall, row.projected_recall))


def _plan_figures(dashboard: Dashboard, *, user, profile, now: datetime):
    """The interview plan's pace, the leeches and the true-retention table: cached with
    the card figures, as they change only with a grade, the day or the schedule."""
    from planner.models import ParameterFit
    from planner.plan import answered_today, pace

    plan = None
    syllabus = []
    if dashboard.interview_date and dashboard.interview_date > dashboard.today:
        new_today, _ = answered_today(user=user, zone=profile.zone, now=now)
        syllabus = list(profile.syllabus.values_list("pk", flat=True))
        plan = pace(user=user, profile=profile, now=now, new_today=new_today, syllabus=syllabus)
    leeches = list(
        Card.objects.filter(user=user, question__status="published")
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
    recent = list(
        PracticeSession.objects.filter(user=user, answered__gt=0)
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


# The card figures change only when the learner grades (the count of answers
# moves), when their day rolls over, or when editors publish; the cache key
# covers the first two and the timeout bounds the third.
CARD_FIGURES_TIMEOUT = 300


def _cards_and_topics(dashboard: Dashboard, *, user, profile, now: datetime) -> None:
    from quizzes.scheduling import days_remembered, scheduler_for

    zone = profile.zone
    scheduler = scheduler_for(profile)
    decay = -scheduler.parameters[20]
    interview_at = None
    if dashboard.interview_date and dashboard.interview_date >= dashboard.today:
        interview_at = datetime.combine(
            dashboard.interview_date, datetime.min.time().replace(hour=9), tzinfo=zone
        )
    key = (
        f"dashboard-cards:{user.pk}:{zone.key}:{dashboard.today}:{dashboard.answered}"
        f":{interview_at and interview_at.date()}:{decay}"
    )
    rows, due_by_day = cache.get_or_set(
        key,
        lambda: _card_figures(user=user, zone=zone, today=dashboard.today, now=now,
                              interview_at=interview_at, decay=decay),
        CARD_FIGURES_TIMEOUT,
    )  # fmt: skip
    dashboard.due_today = due_by_day[dashboard.today]
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
        dashboard.reviews_per_day = _reviews_per_day(dashboard, rows)


def _card_figures(*, user, zone, today: date, now: datetime, interview_at, decay: float):
    """Per-topic mastery and due counts per local day, from the learner's cards in SQL."""
    topics = Topic.objects.annotate(
        total=Count("questions", filter=Q(questions__status="published"))
    ).filter(total__gt=0)
    rows = {topic.pk: TopicRow(topic=topic, total=topic.total) for topic in topics}
    cards = Card.objects.filter(user=user, question__status="published")
    per_topic = cards.values("question__topic_id").annotate(
        seen=Count("id"),
        reviews=Sum("reviews"),
        lapses=Sum("lapses"),
        retrievability_sum=Sum(retrievability(now, decay)),
        projected_sum=Sum(retrievability(interview_at, decay)) if interview_at else Value(0.0),
        stability_sum=Sum("stability"),
        planned_sum=Sum(recall_after(PLAN_GAP_DAYS, decay)) if interview_at else Value(0.0),
    )
    for values in per_topic:
        row = rows.get(values["question__topic_id"])
        if row is None:
            continue
        row.seen = values["seen"]
        row.reviews = values["reviews"]
        row.lapses = values["lapses"]
        row.retrievability_sum = values["retrievability_sum"] or 0.0
        row.projected_sum = values["projected_sum"] or 0.0
        row.stability_sum = values["stability_sum"] or 0.0
        row.planned_sum = values["planned_sum"] or 0.0

    horizon = datetime.combine(
        today + timedelta(days=FORECAST_DAYS), datetime.min.time(), tzinfo=zone
    )
    due_by_day = Counter()
    for values in (
        cards.filter(due__lt=horizon)
        .annotate(day=TruncDate("due", tzinfo=zone))
        .values("day")
        .annotate(count=Count("id"))
    ):
        # Overdue questions are due today.
        due_by_day[max(values["day"], today)] += values["count"]
    return list(rows.values()), due_by_day


def _reviews_per_day(dashboard: Dashboard, rows) -> int:
    """A rough plan: each question of a weak topic that would be below target needs
    about one review (three for a question never seen: the learning steps),
    spread over the days left."""
    days_left = max(1, (dashboard.interview_date - dashboard.today).days)
    needed = 0
    for row in rows:
        if row.projected_recall >= TARGET_RECALL:
            continue
        unseen = row.total - row.seen
        needed += 3 * unseen + math.ceil(row.seen * (1 - row.projected_recall))
    return math.ceil(needed / days_left)
