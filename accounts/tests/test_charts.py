from datetime import date, timedelta

from accounts import charts


def _weeks():
    return [
        {"week": date(2026, 11, 2), "label": "2 Nov 2026", "answers": 40, "rate": 75},
        {"week": date(2026, 11, 9), "label": "9 Nov 2026", "answers": 0, "rate": None},
        {"week": date(2026, 11, 16), "label": "<b>16 Nov</b>", "answers": 20, "rate": 50},
    ]


def test_bars_scale_to_the_tallest_and_say_what_they_show():
    body = charts.weekly_chart(_weeks())["body"]
    assert body.count('<rect class="bar"') == 3
    # The tallest bar fills the inner height (120 - 2 * 28); half the answers, half the bar.
    assert 'height="64.0"><title>Week of 2 Nov 2026: 40 answers, 75% recalled</title>' in body
    assert 'height="0.0"><title>Week of 9 Nov 2026: 0 answers</title>' in body
    assert 'height="32.0"' in body
    assert ">75%</text>" in body and ">50%</text>" in body


def test_text_in_a_chart_is_escaped():
    body = charts.weekly_chart(_weeks())["body"]
    assert "<b>" not in body
    assert "&lt;b&gt;16 Nov&lt;/b&gt;" in body


def test_line_chart_puts_100_percent_at_the_top():
    points = [
        {"label": "1 Nov 2026", "score": 100, "average": 100},
        {"label": "2 Nov 2026", "score": 0, "average": 50},
    ]
    body = charts.line_chart(points)["body"]
    # x from the left padding to the right one; y 28 (top) for 100 %, 152 for 0 %.
    assert '<polyline class="line" points="28.0,28.0 572.0,152.0"/>' in body
    assert '<polyline class="avg" points="28.0,28.0 572.0,90.0"/>' in body
    assert "<title>2 Nov 2026: 0% (average 50%)</title>" in body
    assert charts.line_chart([]) is None


def test_heatmap_starts_its_first_column_on_the_right_weekday():
    start = date(2026, 11, 4)  # a Wednesday: third square of the first column
    cells = [
        {"day": start + timedelta(days=n), "answers": n, "level": min(n, 4)} for n in range(10)
    ]
    chart = charts.heatmap(cells)
    assert chart["body"].count("<rect") == 10
    assert '<rect class="h0" x="24" y="36"' in chart["body"]
    assert "<title>Thu 5 Nov 2026: 1 answer</title>" in chart["body"]
    assert "<title>Fri 6 Nov 2026: 2 answers</title>" in chart["body"]
    assert chart["width"] == 24 + 2 * 11 + 4
    assert charts.heatmap([])["body"] == ""
