"""The FSRS scheduler and the conversion between our Card rows and fsrs.Card."""

from datetime import UTC, datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from quizzes.models import Card, Grade

SCHEDULER = Scheduler()
# Previews show what a grade would do; without fuzz they are stable between reloads.
PREVIEW_SCHEDULER = Scheduler(enable_fuzzing=False)


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


def review(card: Card | None, *, question_id: int, grade: int, now: datetime) -> FsrsCard:
    """The card's next state after a review with `grade` at `now` (UTC-aware)."""
    reviewed, _log = SCHEDULER.review_card(
        to_fsrs(card, question_id=question_id, now=now), Rating(grade), review_datetime=now
    )
    return reviewed


def preview_intervals(card: Card | None, *, question_id: int, now: datetime) -> dict:
    """For each grade, how long until the question would come back."""
    current = to_fsrs(card, question_id=question_id, now=now)
    return {
        grade: PREVIEW_SCHEDULER.review_card(current, Rating(grade), review_datetime=now)[0].due
        - now
        for grade in Grade.values
    }


def retrievability(card: Card, at: datetime) -> float:
    """Predicted probability of recalling the card's question at `at`."""
    return SCHEDULER.get_card_retrievability(
        to_fsrs(card, question_id=card.question_id, now=at), current_datetime=at
    )


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
