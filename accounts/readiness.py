"""The dashboard's figures from a learner's scheduling cards: mastery per topic, the
review forecast, the cards due now and later today, and readiness for the interview day
(projected and keeping to the plan).

One grouped query per figure over the learner's cards (at most one a question); the
forgetting curve itself is quizzes.scheduling's, in SQL here.
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum, Value

from quizzes.models import Card, Status, Topic
from quizzes.scheduling import (
    forgetting_curve,
    local_midnight,
    recall_after_sql,
    retrievability_sql,
)

FORECAST_DAYS = 14
# A topic is "weak" below this predicted recall; readiness aims to bring it here.
TARGET_RECALL = 0.8
# Keeping to the interview plan, a question's last review is one to three days before
# the day (quizzes.scheduling.planned_due); the projection takes the far end.
PLAN_GAP_DAYS = 3


@dataclass
class TopicRow:
    topic: Topic
    total: int
    seen: int = 0
    reviews: int = 0
    lapses: int = 0
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


def planned_recall(row, *, in_syllabus: bool, first_stability: float, decay: float) -> float:
    """A topic's recall on the interview day if the learner keeps to the plan: each seen
    question reviewed a few days before; each unseen one of the syllabus learned by then
    (counted at the stability of a first Good, the least it will have); others unseen, 0."""
    if not row.total:
        return 0.0
    unseen = (row.total - row.seen) if in_syllabus else 0
    fresh = forgetting_curve(PLAN_GAP_DAYS, first_stability, decay)
    return (row.planned_sum + unseen * fresh) / row.total


def card_figures(*, user, zone, today: date, now: datetime, interview_at, decay: float):
    """Per-topic mastery (TopicRows), the cards due per local day (a Counter) and when
    those of today not yet due at `now` fall due (due_later_today), in SQL.

    Recall is projected at `interview_at` (quizzes.scheduling.interview_start, or None).
    """
    topics = Topic.objects.annotate(
        total=Count("questions", filter=Q(questions__status=Status.PUBLISHED))
    ).filter(total__gt=0)
    rows = {topic.pk: TopicRow(topic=topic, total=topic.total) for topic in topics}
    cards = Card.objects.filter(user=user, question__status=Status.PUBLISHED)
    per_topic = cards.values("question__topic_id").annotate(
        seen=Count("id"),
        reviews=Sum("reviews"),
        lapses=Sum("lapses"),
        projected_sum=Sum(retrievability_sql(interview_at, decay)) if interview_at else Value(0.0),
        stability_sum=Sum("stability"),
        planned_sum=Sum(recall_after_sql(PLAN_GAP_DAYS, decay)) if interview_at else Value(0.0),
    )
    for values in per_topic:
        row = rows.get(values["question__topic_id"])
        if row is None:
            continue
        row.seen = values["seen"]
        row.reviews = values["reviews"]
        row.lapses = values["lapses"]
        row.projected_sum = values["projected_sum"] or 0.0
        row.stability_sum = values["stability_sum"] or 0.0
        row.planned_sum = values["planned_sum"] or 0.0

    # Due counts count what practice would bring back: suspended questions are left out.
    due_by_day, later_today = _due_days(
        Card.objects.filter(user=user).in_practice(), zone=zone, today=today, now=now
    )
    return list(rows.values()), due_by_day, later_today


def _due_days(cards, *, zone, today: date, now: datetime):
    """The cards due per local day in the forecast, overdue ones on today, and when
    today's cards not yet due at `now` fall due (the cached figures can then still tell
    what is due now later in the day: due_now). One grouped query."""
    per_day, later_today = cards.due_per_day_and_later(
        zone=zone,
        today=today,
        before=local_midnight(today + timedelta(days=FORECAST_DAYS), zone),
        now=now,
    )
    return Counter(per_day), later_today


def due_now(due_today: int, later_today: list[tuple[datetime, int]], now: datetime) -> int:
    """Cards due at or before `now` (what practice and the library's "Due" count), from
    card_figures' count for today and when today's other cards fall due."""
    return due_today - due_later_today(later_today, now)


def due_later_today(later_today: list[tuple[datetime, int]], now: datetime) -> int:
    """Cards that fall due after `now` and before the learner's midnight."""
    return sum(count for instant, count in later_today if instant > now)


def reviews_per_day(*, interview_date: date, today: date, rows) -> int:
    """A rough plan: each question of a weak topic that would be below target needs
    about one review (three for a question never seen: the learning steps),
    spread over the days left."""
    days_left = max(1, (interview_date - today).days)
    needed = 0
    for row in rows:
        if row.projected_recall >= TARGET_RECALL:
            continue
        unseen = row.total - row.seen
        needed += 3 * unseen + math.ceil(row.seen * (1 - row.projected_recall))
    return math.ceil(needed / days_left)
