"""Time and peak memory of fitting the heavy learner's schedule (100,000 reviews).

`python -m bench.optimiser` (bench.run runs it after the HTTP benchmark, beside the fit
of the bench data's own heavy learner, bench/background.py). The history is made in
memory with the heavy learner's size: 100,000 answers over 5,000 questions, each a day
or more after the last, recalled less often after longer gaps. The fit is
planner.optimiser.fit, what the task runs after it has read the rows.
Writes bench/results/optimiser.json.
"""

import json
import os
import random
import time
from pathlib import Path

import django

from bench.stats import peak_mib

REVIEWS = 100_000
QUESTIONS = 5_000
GAPS = [0, 1, 2, 4, 7, 12, 20, 30, 45, 60, 80, 100, 120, 150, 180, 210, 240, 270, 300, 330]


def heavy_history(seed: int = 16) -> list[list[tuple[int, int]]]:
    rng = random.Random(seed)
    histories = []
    for _ in range(QUESTIONS):
        history = []
        for gap in GAPS[: REVIEWS // QUESTIONS]:
            recalled = rng.random() < (0.6 if gap == 0 else 0.985**gap)
            history.append((rng.choice([2, 3, 3, 4]) if recalled else 1, gap))
        histories.append(history)
    return histories


def main() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    django.setup()
    from planner import optimiser

    histories = heavy_history()
    before = peak_mib()
    started = time.perf_counter()
    result = optimiser.fit(histories)
    seconds = time.perf_counter() - started
    figures = {
        "reviews": result.reviews,
        "seconds": round(seconds, 2),
        "peak_rss_mib_before_fit": round(before, 1),
        "peak_rss_mib_after_fit": round(peak_mib(), 1),
        "rmse_default": round(result.rmse_default, 4),
        "rmse_fitted": round(result.rmse_fitted, 4),
    }
    out = Path(__file__).parent / "results" / "optimiser.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
