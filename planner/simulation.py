""" "Help me decide": what each desired retention would cost and give, by simulation.

fsrs-rs's simulator learns the learner's bank (their syllabus) with their own
parameters and limits, day by day up to the interview (or for 30 days without a
date), and reports reviews per day and how much of the bank is remembered on the
last day. A few milliseconds per retention for a bank of a few hundred questions.
"""

import hashlib
from dataclasses import dataclass

import fsrs_rs_python as fsrs_rs
from django.core.cache import cache

from quizzes import scheduling

RETENTIONS = (0.80, 0.85, 0.90, 0.95, 0.97)
DAYS_WITHOUT_DATE = 30
# The cost grows with questions × days: 5,000 questions over three years take seconds,
# over half a year a fraction of one. A date further away is simulated this far.
MAX_DAYS = 180
CACHE_SECONDS = 3600
SEED = 2026  # the same figures on every reload


@dataclass(frozen=True)
class Outcome:
    retention: float
    reviews_per_day: float  # answers a day, new questions included
    recall_on_day: float  # share of the whole bank recalled on the last day

    @property
    def label(self) -> str:
        return f"{self.retention:.2f}"


def simulate_choices(*, profile, questions: int, days: int, new_per_day: int) -> list[Outcome]:
    """The outcomes, cached for an hour per set of inputs (a reload costs nothing).
    `new_per_day`: the new questions to learn a day (the learner's limit, or the interview
    plan's pace when lower: planner.views.decide)."""
    parameters = list(scheduling.scheduler_for(profile).parameters)
    days = min(days, MAX_DAYS)
    key = (
        "retention-sim:"
        + hashlib.sha256(
            repr((parameters, new_per_day, profile.max_reviews_per_day, questions, days)).encode()
        ).hexdigest()
    )
    return cache.get_or_set(
        key,
        lambda: _simulate(
            parameters, profile=profile, questions=questions, days=days, new_per_day=new_per_day
        ),
        CACHE_SECONDS,
    )


def _simulate(parameters, *, profile, questions: int, days: int, new_per_day: int) -> list[Outcome]:
    config = fsrs_rs.default_simulator_config()
    config.deck_size = max(1, questions)
    config.learn_span = max(1, days)
    config.learn_limit = new_per_day
    config.review_limit = profile.max_reviews_per_day
    # The learner's limits bound the day, not a time budget.
    config.max_cost_perday = 86400.0
    outcomes = []
    for retention in RETENTIONS:
        result = fsrs_rs.simulate(parameters, retention, config, SEED)
        answers = sum(result.review_cnt_per_day) + sum(result.learn_cnt_per_day)
        outcomes.append(
            Outcome(
                retention=retention,
                reviews_per_day=answers / config.learn_span,
                recall_on_day=result.memorized_cnt_per_day[-1] / config.deck_size,
            )
        )
    return outcomes
