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
    line = charts.line_chart([{"label": "<i>1 Nov</i>", "score": 50, "average": 50}])["body"]
    assert "<i>" not in line and "&lt;i&gt;1 Nov&lt;/i&gt;" in line


def test_line_chart_puts_100_percent_at_the_top():
    points = [
        {"label": "1 Nov 2026", "score": 100, "average": 100},
        {"label": "2 Nov 2026", "score": 0, "average": 50},
    ]
    body = charts.line_chart(points)["body"]
    # x from the left padding (wider, for the labels) to the right one; y 28 (top) for
    # 100 %, 132 for 0 %.
    assert '<polyline class="line" points="36.0,28.0 372.0,132.0"/>' in body
    assert '<polyline class="avg" points="36.0,28.0 372.0,80.0"/>' in body
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
    assert chart["summary"] == (
        "Active on 9 of the last 10 days; the most in one day was 9 answers, on 13 Nov 2026."
    )
    assert charts.heatmap([])["body"] == ""
    quiet = [{**cell, "answers": 0, "level": 0} for cell in cells]
    assert charts.heatmap(quiet)["summary"] == "No answers in the last 10 days."


def test_forecast_bars_are_labelled_with_the_day_of_the_month():
    days = [
        {"day": date(2026, 11, 30), "label": "Mon 30 Nov 2026", "count": 6},
        {"day": date(2026, 12, 1), "label": "Tue 1 Dec 2026", "count": 3},
    ]
    body = charts.forecast_chart(days)["body"]
    assert "<title>Mon 30 Nov 2026: 6 due</title>" in body
    assert 'text-anchor="middle">30</text>' in body and 'text-anchor="middle">1</text>' in body
    assert 'height="64.0"' in body and 'height="32.0"' in body
    assert charts.forecast_chart([]) is None
