"""The FSRS scheduler and the conversion between our Card rows and fsrs.Card.

Every learner has a scheduler of their own: FSRS parameters fitted to their reviews
(planner.optimiser; the defaults until there are enough) and the desired retention
they chose, both on their Profile. `scheduler_for(profile)` is the one way to get it.

It also owns the two rules every figure about a learner's memory shares: FSRS's
forgetting curve (`forgetting_curve`, and `forgetting_curve_sql` for the same formula in
the database) and a learner's day (`local_day`, `local_midnight`, `day_start`).
"""

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from django.core.cache import cache
from django.db.models import F, FilteredRelation, FloatField, Func, Q, Value
from django.db.models.functions import Floor, Greatest, Power
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from accounts.models import Profile
from quizzes.models import Card, Grade

SCHEDULER = Scheduler()
# Previews show what a grade would do; without fuzz they are stable between reloads.
PREVIEW_SCHEDULER = Scheduler(enable_fuzzing=False)
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(SCHEDULER.parameters)
DEFAULT_RETENTION = 0.9
# With an interview date, every seen question gets a last review in these days before it.
FINAL_REVIEW_DAYS = 3


def fsrs_parameters(raw) -> tuple[float, ...]:
    """Parameters as the `fsrs` package takes them: 21 floats within its bounds.

    fsrs-rs fits within bounds of its own that differ slightly from py-fsrs's, so a
    fitted value at an edge is clipped rather than refused. Anything else (wrong
    length, not numbers) is a bug upstream and raises ValueError.
    """
    values = [float(value) for value in raw]
    if len(values) != len(LOWER_BOUNDS_PARAMETERS) or not all(map(math.isfinite, values)):
        raise ValueError(f"Expected {len(LOWER_BOUNDS_PARAMETERS)} finite parameters.")
    return tuple(
        min(max(value, low), high)
        for value, low, high in zip(
            values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )


@lru_cache(maxsize=2048)
def _scheduler(parameters: tuple[float, ...], retention: float, fuzz: bool) -> Scheduler:
    return Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=fuzz)


def scheduler_for(profile, *, fuzz: bool = True) -> Scheduler:
    """The learner's scheduler: their parameters (or the defaults) and desired retention."""
    if profile is None:
        return SCHEDULER if fuzz else PREVIEW_SCHEDULER
    parameters = (
        fsrs_parameters(profile.fsrs_parameters) if profile.fsrs_parameters else DEFAULT_PARAMETERS
    )
    return _scheduler(parameters, float(profile.desired_retention), fuzz)


def card_and_scheduler(*, user_id: int, question_id: int, fuzz: bool = True):
    """(The learner's Card for the question or None, their scheduler), in one query: the
    card LEFT JOINed to their profile. An account without a profile has the defaults."""
    condition = Q(user__cards__question_id=question_id)
    profile = (
        Profile.objects.filter(user_id=user_id)
        .annotate(question_card=FilteredRelation("user__cards", condition=condition))
        .select_related("question_card")
        .first()
    )
    if profile is None:
        card = Card.objects.filter(user_id=user_id, question_id=question_id).first()
        return card, scheduler_for(None, fuzz=fuzz)
    # Django leaves the attribute unset when the join found no card.
    return getattr(profile, "question_card", None), scheduler_for(profile, fuzz=fuzz)


def to_fsrs(card: Card | None, *, question_id: int, now: datetime) -> FsrsCard:
    if card is None:
        # A question never seen: a new card, due now. The id is passed explicitly
        # (fsrs would otherwise derive it from the clock and sleep 1 ms).
        return FsrsCard(card_id=question_id, due=now)
    return FsrsCard(
        card_id=question_id,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(UTC),
        last_review=card.last_review.astimezone(UTC) if card.last_review else None,
    )


def review(
    card: Card | None,
    *,
    question_id: int,
    grade: int,
    now: datetime,
    scheduler: Scheduler = SCHEDULER,
) -> FsrsCard:
    """The card's next state after a review with `grade` at `now` (UTC-aware)."""
    reviewed, _log = scheduler.review_card(
        to_fsrs(card, question_id=question_id, now=now), Rating(grade), review_datetime=now
    )
    return reviewed


def preview_intervals(
    card: Card | None, *, question_id: int, now: datetime, scheduler: Scheduler = PREVIEW_SCHEDULER
) -> dict:
    """For each grade, how long until the question would come back (`scheduler` unfuzzed)."""
    current = to_fsrs(card, question_id=question_id, now=now)
    return {
        grade: scheduler.review_card(current, Rating(grade), review_datetime=now)[0].due - now
        for grade in Grade.values
    }


def decay_of(parameters) -> float:
    """The forgetting curve's exponent for FSRS-6 `parameters` (-w20; fitted per learner)."""
    return -parameters[20]


def _factor(decay: float) -> float:
    # Chosen so that recall is exactly 90% after `stability` days, whatever the decay.
    return 0.9 ** (1 / decay) - 1


def forgetting_curve(elapsed_days: float, stability: float, decay: float) -> float:
    """FSRS's forgetting curve: predicted recall `elapsed_days` after a review that left
    memory of `stability` days, R(t) = (1 + factor * t / S) ** decay.

    The one definition in Python (fsrs.Scheduler.get_card_retrievability computes the
    same); forgetting_curve_sql is the same formula for the database.
    """
    return (1 + _factor(decay) * elapsed_days / stability) ** decay


def forgetting_curve_sql(elapsed_days, stability, decay: float) -> Power:
    """forgetting_curve as an SQL expression: `elapsed_days` and `stability` are
    expressions (F("stability"), Value(3.0), ...); `decay` is a number."""
    return Power(Value(1.0) + Value(_factor(decay)) * elapsed_days / stability, Value(decay))


class EpochDays(Func):
    """A datetime column as days since 1970-01-01, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "(julianday(%(expressions)s) - 2440587.5)"
        return self.as_sql(compiler, connection, template=template, **extra)


def retrievability(card: Card, at: datetime, scheduler: Scheduler = SCHEDULER) -> float:
    """Predicted probability of recalling the card's question at `at` (whole days since
    its last review, as fsrs counts them; 0 for a card never reviewed)."""
    if card.last_review is None or not card.stability:
        return 0.0
    elapsed = max(0, (at - card.last_review).days)
    return forgetting_curve(elapsed, card.stability, decay_of(scheduler.parameters))


def retrievability_sql(at: datetime, decay: float) -> Power:
    """retrievability of each Card row at `at`, in SQL, so a learner's thousands of cards
    become one row a topic. `decay` is decay_of(the learner's parameters)."""
    elapsed = Greatest(Floor(Value(at.timestamp() / 86400) - EpochDays("last_review")), Value(0.0))
    return forgetting_curve_sql(elapsed, F("stability"), decay)


def recall_after_sql(days: float, decay: float) -> Power:
    """Each Card row's recall `days` after a review at its current stability, in SQL."""
    return forgetting_curve_sql(Value(float(days)), F("stability"), decay)


def days_remembered(stability: float, *, scheduler: Scheduler, retention: float) -> float:
    """Days after a review until predicted recall falls to `retention` (FSRS's interval):
    forgetting_curve solved for t."""
    decay = decay_of(scheduler.parameters)
    return stability / _factor(decay) * (retention ** (1 / decay) - 1)


def local_midnight(day: date, zone) -> datetime:
    """The instant `day` starts in `zone`: where every per-day figure of a learner cuts."""
    return datetime.combine(day, time.min, tzinfo=zone)


def local_day(now: datetime, zone) -> date:
    """The learner's date at the instant `now` (their "today")."""
    return timezone.localtime(now, zone).date()


def day_start(now: datetime, zone) -> datetime:
    """The start of the learner's day that `now` falls in."""
    return local_midnight(local_day(now, zone), zone)


def interview_start(profile) -> datetime | None:
    """The start of the interview day in the learner's time zone: the moment the plan
    finishes its reviews by and the dashboard projects recall at.

    The day, not an hour of it: the learner gives a date, the interview may be at any
    time that day, and a review "before the interview" must be one before that day.
    """
    if profile is None or profile.interview_date is None:
        return None
    return local_midnight(profile.interview_date, profile.zone)


def planned_due(due: datetime, *, question_id: int, now: datetime, interview_at) -> datetime:
    """Bring a review that would fall on or after the interview day into its last days.

    Reviews are spread over the FINAL_REVIEW_DAYS days before the day (by question, so
    the load is even), which keeps recall on the day close to the desired retention:
    the last review is at most a few days old. A review graded inside that window
    already is the last one, and after the date nothing changes: normal scheduling.
    """
    if interview_at is None or due < interview_at:
        return due
    window_start = interview_at - timedelta(days=FINAL_REVIEW_DAYS)
    if now >= window_start:
        return due
    return window_start + timedelta(days=question_id % FINAL_REVIEW_DAYS, hours=12)


def schedule_version_key(user_id: int) -> str:
    return f"schedule-version:{user_id}"


def schedule_version(user_id: int) -> int:
    """A number that changes whenever schedule_changed(user_id) is called: part of the
    cache keys of figures drawn from the learner's schedule (the dashboard's)."""
    return cache.get(schedule_version_key(user_id), 0)


def schedule_changed(user_id: int) -> None:
    """The learner's schedule moved without a new answer (their settings, a fit, an undone
    grade, a suspension or a reset): figures cached on schedule_version are recomputed.
    A new answer needs no call: the dashboard's keys count answers."""
    try:
        cache.incr(schedule_version_key(user_id))
    except ValueError:
        cache.set(schedule_version_key(user_id), 1, None)


def humanize_interval(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"{max(1, round(minutes))} min"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)} h"
    days = hours / 24
    if days < 60:
        return f"{round(days)} d"
    if days < 365:
        return f"{round(days / 30)} mo"
    return f"{days / 365:.1f} y"
