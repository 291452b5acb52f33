"""The FSRS scheduler and the conversion between our Card rows and fsrs.Card.

Every learner has a scheduler of their own: FSRS parameters fitted to their reviews
(planner.optimiser; the defaults until there are enough) and the desired retention
they chose, both on their Profile. `scheduler_for(profile)` is the one way to get it.
"""

import math
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

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


def retrievability(card: Card, at: datetime, scheduler: Scheduler = SCHEDULER) -> float:
    """Predicted probability of recalling the card's question at `at`."""
    return scheduler.get_card_retrievability(
        to_fsrs(card, question_id=card.question_id, now=at), current_datetime=at
    )


def days_remembered(stability: float, *, scheduler: Scheduler, retention: float) -> float:
    """Days after a review until predicted recall falls to `retention` (FSRS's interval)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return stability / factor * (retention ** (1 / decay) - 1)


def interview_start(profile) -> datetime | None:
    """Midnight at the start of the interview day, in the learner's time zone."""
    if profile is None or profile.interview_date is None:
        return None
    return datetime.combine(profile.interview_date, time.min, tzinfo=profile.zone)


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
