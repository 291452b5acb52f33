"""Today's limits and the interview plan's pace, in a fixed handful of queries.

Read by session selection (quizzes.selection) and the dashboard, so both say the
same thing: the pace the dashboard shows is the allowance a session gets.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q

from quizzes.models import Answer, Card, Question
from quizzes.scheduling import day_start, local_day

# New questions are all first seen this long before the interview, so each gets a few
# reviews before the day; closer than three weeks, a third of the time left.
SAFETY_MARGIN_DAYS = 7
UNSEEN_CACHE_SECONDS = 86400


@dataclass(frozen=True)
class Pace:
    interview_date: date
    seen_by: date  # every syllabus question first seen by this day
    total: int  # questions in the syllabus
    unseen: int  # of them not yet seen, counting those first seen today as unseen
    per_day: int


@dataclass(frozen=True)
class Allowance:
    new_today: int
    reviews_today: int
    new_limit: int  # today's: the learner's limit, or the plan's pace when lower
    review_limit: int
    pace: Pace | None
    syllabus: list[int]  # topic ids the plan covers; empty: all

    @property
    def new_left(self) -> int:
        return max(0, self.new_limit - self.new_today)

    @property
    def reviews_left(self) -> int:
        return max(0, self.review_limit - self.reviews_today)


def answered_today(*, user, zone, now: datetime) -> tuple[int, int]:
    """(new questions first seen today, reviews today), in one query over today's answers."""
    earlier = Answer.objects.filter(
        user=user, question=OuterRef("question"), answered_at__lt=OuterRef("answered_at")
    )
    counts = Answer.objects.filter(user=user, answered_at__gte=day_start(now, zone)).aggregate(
        answers=Count("id"), new=Count("id", filter=~Q(Exists(earlier)))
    )
    return counts["new"], counts["answers"] - counts["new"]


def syllabus_questions(topic_ids: list[int]):
    """Published questions of the topics the learner's plan covers (all when none chosen)."""
    questions = Question.objects.published()
    return questions.filter(topic_id__in=topic_ids) if topic_ids else questions


def seen_by(interview_date: date, today: date) -> date:
    """The day every syllabus question should have been seen by: a safe margin before the
    interview (a later `today` than the interview's is the caller's to refuse)."""
    days_left = (interview_date - today).days
    margin = SAFETY_MARGIN_DAYS if days_left >= 3 * SAFETY_MARGIN_DAYS else days_left // 3
    return interview_date - timedelta(days=margin)


def per_day(questions: int, *, by: date, today: date) -> int:
    """New questions a day to see `questions` by the day `by`."""
    return math.ceil(questions / max(1, (by - today).days))


def pace(*, user, profile, now: datetime, new_today: int, syllabus: list[int]) -> Pace | None:
    """How many new questions a day see the whole syllabus a safe margin before the date."""
    today = local_day(now, profile.zone)
    if profile.interview_date is None or profile.interview_date <= today:
        return None
    by = seen_by(profile.interview_date, today)
    # Unseen questions plus those first seen today are the same number all day, so it
    # is counted once a day (a scan of the syllabus), not at every session start; a
    # question editors publish during the day joins the plan the next day.
    key = f"plan-unseen:{user.pk}:{today}:{','.join(map(str, sorted(syllabus)))}"
    total, unseen = cache.get_or_set(
        key, lambda: _syllabus_counts(user, syllabus, new_today), UNSEEN_CACHE_SECONDS
    )
    return Pace(
        interview_date=profile.interview_date,
        seen_by=by,
        total=total,
        unseen=unseen,
        per_day=per_day(unseen, by=by, today=today),
    )


def _syllabus_counts(user, syllabus: list[int], new_today: int) -> tuple[int, int]:
    seen = Card.objects.filter(user=user, question=OuterRef("pk"))
    counts = syllabus_questions(syllabus).aggregate(
        total=Count("pk"), unseen=Count("pk", filter=~Q(Exists(seen)))
    )
    return counts["total"], counts["unseen"] + new_today


def allowance(*, user, profile, now: datetime) -> Allowance:
    new_today, reviews_today = answered_today(user=user, zone=profile.zone, now=now)
    syllabus = list(profile.syllabus.values_list("pk", flat=True)) if profile.pk else []
    plan = pace(user=user, profile=profile, now=now, new_today=new_today, syllabus=syllabus)
    new_limit = profile.new_per_day if plan is None else min(profile.new_per_day, plan.per_day)
    return Allowance(
        new_today=new_today,
        reviews_today=reviews_today,
        new_limit=new_limit,
        review_limit=profile.max_reviews_per_day,
        pace=plan,
        syllabus=syllabus,
    )
