"""Fitting a learner's FSRS parameters to their own reviews, with fsrs-rs-python.

A learner's history becomes one FSRSItem per review after a question's first
answer (the reviews before it, with whole days between them in the learner's time
zone), as Anki does. fsrs-rs fits the 21 FSRS-6 parameters in well under a second
for a heavy learner, and scores both the defaults and the fit on the same history.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import fsrs_rs_python as fsrs_rs
from django.utils import timezone

from quizzes.models import Answer
from quizzes.scheduling import DEFAULT_PARAMETERS, decay_of, forgetting_curve, fsrs_parameters

# Below this many answers the defaults are used as they are: fsrs-rs itself returns
# the defaults for a few dozen reviews, and a few hundred are needed before a fit is
# steadier than the defaults it starts from. The learner's desired retention is
# personal from the first answer.
MIN_REVIEWS = 400
# After this many further answers the schedule is fitted again (at the end of a session).
REFIT_EVERY = 200

# Time since the previous review, in days: the rows of the true-retention table.
RETENTION_BUCKETS = [
    (1, 1, "1 day"),
    (2, 3, "2–3 days"),
    (4, 7, "4–7 days"),
    (8, 14, "1–2 weeks"),
    (15, 30, "2–4 weeks"),
    (31, 90, "1–3 months"),
    (91, None, "Longer"),
]


@dataclass
class FitResult:
    reviews: int
    parameters: list[float]
    adopted: bool
    seconds: float
    log_loss_default: float
    log_loss_fitted: float
    rmse_default: float
    rmse_fitted: float
    retention_table: list[dict] = field(default_factory=list)


def histories(rows: Iterable[tuple[int, int, object]], zone) -> dict[int, list[tuple[int, int]]]:
    """(question_id, grade, answered_at) rows, ordered by question then time, as a list
    of (grade, days since the previous answer) per question id."""
    result: dict[int, list[tuple[int, int]]] = {}
    previous_day: date | None = None
    for question_id, grade, answered_at in rows:
        day = timezone.localtime(answered_at, zone).date()
        if question_id not in result:
            result[question_id] = [(grade, 0)]
        else:
            result[question_id].append((grade, (day - previous_day).days))
        previous_day = day
    return result


def items_from(reviews_per_question: list[list[tuple[int, int]]]) -> list:
    items = []
    for history in reviews_per_question:
        reviews = [fsrs_rs.FSRSReview(grade, delta) for grade, delta in history]
        # Each item asks "recalled after this gap?" of its last review, so only a review a
        # day or more after the one before makes one: fsrs-rs refuses an item with no such
        # gap in it, and scores none ending on a same-day review (InvalidInput). A question
        # answered again on the day it was seen or failed adds no item, as in Anki.
        items.extend(
            fsrs_rs.FSRSItem(reviews[: i + 1]) for i in range(1, len(reviews)) if history[i][1] > 0
        )
    return items


def learner_histories(user, zone) -> dict[int, list[tuple[int, int]]]:
    rows = (
        Answer.objects.filter(user=user)
        .order_by("question_id", "answered_at")
        .values_list("question_id", "grade", "answered_at")
        .iterator(chunk_size=5000)
    )
    return histories(rows, zone)


def fit(reviews_per_question: list[list[tuple[int, int]]]) -> FitResult:
    """Fit, score the defaults and the fit on the same history, and tabulate recall."""
    started = time.perf_counter()
    items = items_from(reviews_per_question)
    reviews = sum(len(history) for history in reviews_per_question)
    default_model = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    raw = default_model.compute_parameters(items) if items else list(DEFAULT_PARAMETERS)
    # What the `fsrs` scheduler will load: clipped to its bounds, and checked.
    parameters = list(fsrs_parameters(raw))
    fitted_model = fsrs_rs.FSRS(parameters)
    default_score = default_model.evaluate(items) if items else None
    fitted_score = fitted_model.evaluate(items) if items else None
    log_loss_default = default_score.log_loss if default_score else 0.0
    log_loss_fitted = fitted_score.log_loss if fitted_score else 0.0
    return FitResult(
        reviews=reviews,
        parameters=parameters,
        adopted=bool(items) and log_loss_fitted < log_loss_default,
        seconds=time.perf_counter() - started,
        log_loss_default=log_loss_default,
        log_loss_fitted=log_loss_fitted,
        rmse_default=default_score.rmse_bins if default_score else 0.0,
        rmse_fitted=fitted_score.rmse_bins if fitted_score else 0.0,
        retention_table=retention_table(reviews_per_question, fitted_model, parameters),
    )


def retention_table(reviews_per_question, model, parameters: list[float]) -> list[dict]:
    """Recall actually observed against recall predicted before each review, by the
    time since the previous one (reviews on the same day are left out: they test
    short-term memory, not spacing)."""
    decay = decay_of(parameters)
    sums = {label: [0, 0, 0.0] for _, _, label in RETENTION_BUCKETS}  # reviews, recalled, predicted
    long_histories = [history for history in reviews_per_question if len(history) > 1]
    if not long_histories:
        return []
    states = model.historical_memory_state_batch(
        [
            fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(grade, delta) for grade, delta in history])
            for history in long_histories
        ]
    )
    for history, memory in zip(long_histories, states, strict=True):
        for index in range(1, len(history)):
            grade, delta = history[index]
            if delta <= 0:
                continue
            stability = memory[index - 1].stability
            predicted = forgetting_curve(delta, stability, decay)
            label = _bucket(delta)
            sums[label][0] += 1
            sums[label][1] += int(grade > 1)
            sums[label][2] += predicted
    return [
        {
            "label": label,
            "reviews": count,
            "observed": recalled / count,
            "predicted": predicted / count,
        }
        for label, (count, recalled, predicted) in sums.items()
        if count
    ]


def memory_states(histories_by_question: dict, parameters: list[float]) -> dict[int, tuple]:
    """(stability, difficulty) of each question's memory now, replaying its whole history
    with `parameters`: the cards' states, as if these parameters had always been used."""
    model = fsrs_rs.FSRS(parameters)
    ids = list(histories_by_question)
    states = model.memory_state_batch(
        [
            fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(g, d) for g, d in histories_by_question[qid]])
            for qid in ids
        ]
    )
    return {
        qid: (state.stability, state.difficulty) for qid, state in zip(ids, states, strict=True)
    }


def _bucket(delta: int) -> str:
    for low, high, label in RETENTION_BUCKETS:
        if delta >= low and (high is None or delta <= high):
            return label
    raise ValueError(delta)
