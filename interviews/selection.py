"""Which questions a mock interview asks: weighted to the learner's weak topics and to
the chosen level, with a calculation question when the topics have one.

The candidates are the chosen topics' published questions, read as (id, topic,
difficulty, kind) tuples; the sample is weighted without replacement (Efraimidis and
Spirakis: the k largest u^(1/w)), so every candidate can appear and heavier ones do more often.
"""

import random
from dataclasses import dataclass

from django.db.models import Sum

from quizzes.models import Card, Difficulty, Kind, Question

# How much each difficulty counts at each level: an easy interview still asks the odd
# hard question, and a hard one an easy warm-up.
LEVEL_WEIGHTS = {
    Difficulty.EASY: {Difficulty.EASY: 3.0, Difficulty.MEDIUM: 1.0, Difficulty.HARD: 0.25},
    Difficulty.MEDIUM: {Difficulty.EASY: 1.0, Difficulty.MEDIUM: 3.0, Difficulty.HARD: 1.0},
    Difficulty.HARD: {Difficulty.EASY: 0.25, Difficulty.MEDIUM: 1.0, Difficulty.HARD: 3.0},
}
DIFFICULTY_ORDER = {Difficulty.EASY: 0, Difficulty.MEDIUM: 1, Difficulty.HARD: 2}


@dataclass(frozen=True)
class Candidate:
    pk: int
    topic_id: int
    difficulty: str
    calculation: bool


def topic_weights(*, user, topic_ids: list[int]) -> dict[int, float]:
    """From 0.5 (always recalled) to 2.5 (always forgotten); 1.5 for a topic never seen.

    The forgetting rate is (lapses + 1) / (reviews + 2): a Laplace estimate, so one
    forgotten answer does not make a topic the weakest of all.
    """
    rows = (
        Card.objects.filter(user=user, question__topic_id__in=topic_ids)
        .values("question__topic_id")
        .annotate(reviews=Sum("reviews"), lapses=Sum("lapses"))
    )
    weights = dict.fromkeys(topic_ids, 1.5)
    for row in rows:
        rate = (row["lapses"] + 1) / (row["reviews"] + 2)
        weights[row["question__topic_id"]] = 0.5 + 2 * rate
    return weights


def candidates(topics) -> list[Candidate]:
    rows = (
        Question.objects.published()
        .for_topics(topics)
        .values_list("pk", "topic_id", "difficulty", "kind")
    )
    return [
        Candidate(
            pk=pk, topic_id=topic_id, difficulty=difficulty, calculation=kind == Kind.CALCULATION
        )
        for pk, topic_id, difficulty, kind in rows
    ]


def choose(*, user, topics, level: str, size: int, rng: random.Random) -> list[int]:
    """Up to `size` question ids, easiest first (an interview warms up)."""
    pool = candidates(topics)
    if not pool:
        return []
    weights = topic_weights(user=user, topic_ids=sorted({c.topic_id for c in pool}))
    level_weights = LEVEL_WEIGHTS[Difficulty(level)]

    def weight(candidate: Candidate) -> float:
        return weights[candidate.topic_id] * level_weights[Difficulty(candidate.difficulty)]

    keyed = sorted(pool, key=lambda c: rng.random() ** (1 / weight(c)), reverse=True)
    chosen = keyed[:size]
    if chosen and not any(c.calculation for c in chosen):
        calculation = next((c for c in keyed[size:] if c.calculation), None)
        if calculation is not None:
            # The lightest pick gives way (the last of the sorted keys).
            chosen[-1] = calculation
    chosen.sort(key=lambda c: DIFFICULTY_ORDER[Difficulty(c.difficulty)])
    return [c.pk for c in chosen]
