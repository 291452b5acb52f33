"""Geometry for the dashboard's inline SVG charts; the templates draw them.

Server-drawn SVG needs no chart library, works without JavaScript and obeys
the strict Content-Security-Policy.
"""

from django.utils.safestring import mark_safe

WIDTH, HEIGHT, PAD = 600, 180, 28
CELL = 11  # heatmap square plus gap


def line_chart(points: list[dict]) -> dict | None:
    """Scores (0–100) with their rolling average, oldest first."""
    if not points:
        return None
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / max(1, len(points) - 1)

    def xy(index, value):
        return round(PAD + index * step, 1), round(PAD + inner_h * (1 - value / 100), 1)

    dots = [
        {"x": xy(i, p["score"])[0], "y": xy(i, p["score"])[1], **p} for i, p in enumerate(points)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "average": " ".join("{},{}".format(*xy(i, p["average"])) for i, p in enumerate(points)),
        "dots": dots,
        "gridlines": [{"y": xy(0, v)[1], "label": f"{v}%"} for v in (0, 50, 100)],
        "left": PAD,
        "right": WIDTH - PAD,
    }


def bar_chart(values: list[dict], key: str, *, height: int = 120) -> dict | None:
    if not values:
        return None
    width = 28 * len(values) + 2 * PAD
    top = max((v[key] or 0) for v in values) or 1
    inner_h = height - 2 * PAD
    bars = []
    for i, value in enumerate(values):
        amount = value[key] or 0
        bar_h = round(inner_h * amount / top, 1)
        bars.append(
            {
                **value,
                "x": PAD + i * 28 + 4,
                "y": round(PAD + inner_h - bar_h, 1),
                "h": bar_h,
                "label_x": PAD + i * 28 + 14,
            }
        )
    return {"width": width, "height": height, "bars": bars, "base": PAD + inner_h}


def heatmap(cells: list[dict]) -> dict:
    """A contribution calendar: a column per week, Monday at the top."""
    if not cells:
        return {"squares": "", "months": [], "width": 0, "height": 0}
    first_weekday = cells[0]["day"].weekday()
    placed = []
    for index, cell in enumerate(cells):
        slot = index + first_weekday
        placed.append({**cell, "x": 24 + (slot // 7) * CELL, "y": 14 + (slot % 7) * CELL})
    weeks = (len(cells) + first_weekday + 6) // 7
    months = []
    last_month = None
    for cell in placed:
        if cell["day"].month != last_month and cell["day"].day <= 7:
            months.append({"x": cell["x"], "label": cell["day"].strftime("%b")})
            last_month = cell["day"].month
    # 365 squares, formatted here in one pass: through the template engine (and its
    # localised date filter) they were most of the dashboard's time. Every value is a
    # number or a date we format ourselves, so there is nothing to escape.
    squares = mark_safe(
        "".join(
            f'<rect class="h{c["level"]}" x="{c["x"]}" y="{c["y"]}" width="9" height="9" '
            f'rx="2"><title>{c["day"]:%a} {c["day"].day} {c["day"]:%b %Y}: {c["answers"]} '
            f"answer{'' if c['answers'] == 1 else 's'}</title></rect>"
            for c in placed
        )
    )
    return {
        "squares": squares,
        "months": months,
        "width": 24 + weeks * CELL + 4,
        "height": 14 + 7 * CELL + 4,
    }
