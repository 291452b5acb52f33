""" "Help me decide" as a small server-drawn SVG (the same approach as accounts/charts.py):
a bar per desired retention for reviews a day, a line for recall on the day."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from planner.simulation import Outcome

WIDTH, HEIGHT, PAD = 400, 180, 30
STEP = 64


def retention_chart(outcomes: list[Outcome], *, chosen: float) -> dict | None:
    if not outcomes:
        return None
    top = max(outcome.reviews_per_day for outcome in outcomes) or 1
    inner_h = HEIGHT - 2 * PAD
    base = PAD + inner_h
    # Bars in the lower 60%, the recall line in a band above them, so labels never meet.
    bars_h = 0.6 * inner_h
    band_top, band_h = PAD, 0.25 * inner_h
    low = min(outcome.recall_on_day for outcome in outcomes)
    span = max(1e-6, 1 - low)
    width = 2 * PAD + STEP * len(outcomes)
    parts = [
        f'<line class="axis" x1="{PAD}" x2="{width - PAD}" y1="{base}" y2="{base}"/>',
    ]
    points = []
    for i, outcome in enumerate(outcomes):
        x = PAD + i * STEP
        bar_h = round(bars_h * outcome.reviews_per_day / top, 1)
        css = "bar bar-chosen" if abs(outcome.retention - chosen) < 0.005 else "bar"
        recall = round(100 * outcome.recall_on_day)
        parts.append(
            f'<rect class="{css}" x="{x + 12}" y="{round(base - bar_h, 1)}" width="40" '
            f'height="{bar_h}"><title>{escape(outcome.label)}: about '
            f"{round(outcome.reviews_per_day)} a day, {recall}% recalled on the day</title></rect>"
            f'<text class="label" x="{x + 32}" y="{round(base - bar_h - 4, 1)}" '
            f'text-anchor="middle">{round(outcome.reviews_per_day)}/day</text>'
            f'<text class="label" x="{x + 32}" y="{base + 12}" text-anchor="middle">'
            f"{escape(outcome.label)}</text>"
        )
        y = round(band_top + band_h * (1 - outcome.recall_on_day) / span, 1)
        points.append((x + 32, y, recall))
    parts.append(
        '<polyline class="line" points="' + " ".join(f"{x},{y}" for x, y, _ in points) + '"/>'
    )
    for x, y, recall in points:
        parts.append(
            f'<circle class="dot" cx="{x}" cy="{y}" r="3"/>'
            f'<text class="label" x="{x + 6}" y="{y - 4}">{recall}%</text>'
        )
    return {"width": width, "height": HEIGHT, "body": mark_safe("".join(parts))}
