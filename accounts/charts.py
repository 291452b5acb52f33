"""The dashboard's inline SVG charts, drawn here rather than in the template.

Server-drawn SVG needs no chart library, works without JavaScript and obeys the
strict Content-Security-Policy. The markup is written in Python because a few
hundred shapes through the template engine (each number localised, each value
escaped) were most of the dashboard's time. Numbers are ours; every piece of
text goes through escape().
"""

from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# About the width a chart's card gives it on a laptop, so SVG units are close to pixels.
WIDTH, HEIGHT, PAD = 400, 160, 28
BAR_STEP, BAR_WIDTH = 28, 20
CELL = 11  # heatmap square plus gap


def line_chart(points: list[dict]) -> dict | None:
    """Scores (0–100) with their rolling average, oldest first."""
    if not points:
        return None
    left = PAD + 8  # room for the "100%" label
    inner_w, inner_h = WIDTH - left - PAD, HEIGHT - 2 * PAD
    step = inner_w / max(1, len(points) - 1)

    def xy(index, value):
        return round(left + index * step, 1), round(PAD + inner_h * (1 - value / 100), 1)

    parts = []
    for value in (0, 50, 100):
        y = xy(0, value)[1]
        parts.append(
            f'<line class="axis" x1="{left}" x2="{WIDTH - PAD}" y1="{y}" y2="{y}"/>'
            f'<text class="label" x="2" y="{y}" dy="3">{value}%</text>'
        )
    average = " ".join("{},{}".format(*xy(i, p["average"])) for i, p in enumerate(points))
    line = " ".join("{},{}".format(*xy(i, p["score"])) for i, p in enumerate(points))
    parts.append(f'<polyline class="avg" points="{average}"/>')
    parts.append(f'<polyline class="line" points="{line}"/>')
    for i, p in enumerate(points):
        x, y = xy(i, p["score"])
        parts.append(
            f'<circle class="dot" cx="{x}" cy="{y}" r="3"><title>{escape(p["label"])}: '
            f"{p['score']}% (average {p['average']}%)</title></circle>"
        )
    return {"width": WIDTH, "height": HEIGHT, "body": _safe(parts)}


def bar_chart(
    values: list[dict],
    key: str,
    *,
    title: Callable[[dict], str],
    caption: Callable[[dict], str],
    height: int = 120,
) -> dict | None:
    """One bar per value of `key`; `title` is each bar's tooltip, `caption` the text under it."""
    if not values:
        return None
    top = max((v[key] or 0) for v in values) or 1
    inner_h = height - 2 * PAD
    base = PAD + inner_h
    parts = []
    for i, value in enumerate(values):
        bar_h = round(inner_h * (value[key] or 0) / top, 1)
        x = PAD + i * BAR_STEP
        parts.append(
            f'<rect class="bar" x="{x + 4}" y="{round(base - bar_h, 1)}" width="{BAR_WIDTH}" '
            f'height="{bar_h}"><title>{escape(title(value))}</title></rect>'
            f'<text class="label" x="{x + 14}" y="{base + 12}" text-anchor="middle">'
            f"{escape(caption(value))}</text>"
        )
    return {"width": BAR_STEP * len(values) + 2 * PAD, "height": height, "body": _safe(parts)}


def weekly_chart(weeks: list[dict]) -> dict | None:
    def title(week):
        recalled = "" if week["rate"] is None else f", {week['rate']}% recalled"
        return f"Week of {week['label']}: {week['answers']} answers{recalled}"

    def caption(week):
        return "" if week["rate"] is None else f"{week['rate']}%"

    return bar_chart(weeks, "answers", title=title, caption=caption)


def forecast_chart(days: list[dict]) -> dict | None:
    return bar_chart(
        days,
        "count",
        title=lambda day: f"{day['label']}: {day['count']} due",
        caption=lambda day: str(day["day"].day),
    )


def heatmap(cells: list[dict]) -> dict:
    """A contribution calendar: a column per week, Monday at the top."""
    if not cells:
        return {"body": "", "width": 0, "height": 0, "summary": ""}
    first_weekday = cells[0]["day"].weekday()
    weeks = (len(cells) + first_weekday + 6) // 7
    months = []
    squares = []
    last_month = None
    for index, cell in enumerate(cells):
        slot = index + first_weekday
        x, y = 24 + (slot // 7) * CELL, 14 + (slot % 7) * CELL
        day = cell["day"]
        if day.month != last_month and day.day <= 7:
            months.append(f'<text class="label" x="{x}" y="9">{day:%b}</text>')
            last_month = day.month
        answers = cell["answers"]
        squares.append(
            f'<rect class="h{cell["level"]}" x="{x}" y="{y}" width="9" height="9" rx="2">'
            f"<title>{day:%a} {day.day} {day:%b %Y}: {answers} "
            f"answer{'' if answers == 1 else 's'}</title></rect>"
        )
    weekdays = (
        '<text class="label" x="0" y="23">Mon</text><text class="label" x="0" y="56">Thu</text>'
        '<text class="label" x="0" y="89">Sun</text>'
    )
    return {
        "body": _safe([*months, weekdays, *squares]),
        "summary": _activity_summary(cells),
        "width": 24 + weeks * CELL + 4,
        "height": 14 + 7 * CELL + 4,
    }


def _safe(parts: list[str]) -> SafeString:
    # Built only from numbers, our own date formats and escape()d text.
    return mark_safe("".join(parts))


def _activity_summary(cells: list[dict]) -> str:
    """The heatmap in a sentence, for those who cannot see it or hover its squares."""
    active = sum(1 for cell in cells if cell["answers"])
    if not active:
        return f"No answers in the last {len(cells)} days."
    busiest = max(cells, key=lambda cell: (cell["answers"], cell["day"]))
    day = busiest["day"]
    return (
        f"Active on {active} of the last {len(cells)} days; the most in one day was "
        f"{busiest['answers']} answer{'' if busiest['answers'] == 1 else 's'}, "
        f"on {day.day} {day:%b %Y}."
    )
