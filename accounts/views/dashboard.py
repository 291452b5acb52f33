"""The learner's dashboard and the download of their session history."""

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import charts
from accounts.calibration import cached_calibration, points_kept_missing
from accounts.history import CSV_HEADER, HistoryRow, session_history
from accounts.services import get_profile
from accounts.stats import build_dashboard
from interviews.dashboard import interview_card
from prepsite.http import HtmxHttpRequest

SESSIONS_PER_PAGE = 10


@require_safe
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    profile = get_profile(request.user)
    if request.htmx and request.GET.get("page"):
        # Another page of the history: none of the figures above it.
        return render(request, "accounts/dashboard.html#history", _history(request, profile))
    # First: it ends the interviews left past their time, which the history then shows ended.
    interviews = interview_card(user=request.user, zone=profile.zone)
    stats = build_dashboard(user=request.user, profile=profile)
    context = {
        **_history(request, profile),
        "stats": stats,
        "profile": profile,
        "score_chart": charts.line_chart(stats.score_points),
        "weekly_chart": charts.weekly_chart(stats.weekly),
        "forecast_chart": charts.forecast_chart(stats.forecast),
        "heatmap": charts.heatmap(stats.heatmap),
        "interviews": interviews,
        "calibration": cached_calibration(request.user, answered=stats.answered),
        "missed_points": points_kept_missing(request.user),
    }
    return render(request, "accounts/dashboard.html", context)


def _history(request: HttpRequest, profile) -> dict:
    page = Paginator(session_history(request.user), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [HistoryRow.of(session, profile.zone).table_cells() for session in page]
    return {"page": page, "history": rows}


@require_safe
@never_cache
def session_history_csv(request: HttpRequest) -> HttpResponse:
    zone = get_profile(request.user).zone
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="prepsite-sessions.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for session in session_history(request.user).iterator(chunk_size=500):
        writer.writerow(HistoryRow.of(session, zone).csv_cells())
    return response
