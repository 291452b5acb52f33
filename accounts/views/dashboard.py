import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import charts
from accounts.calibration import calibration, points_kept_missing
from accounts.services import get_profile
from accounts.stats import build_dashboard
from interviews.dashboard import interview_card
from quizzes.models import PracticeSession

SESSIONS_PER_PAGE = 10


def _session_history(user):
    return PracticeSession.objects.filter(user=user).prefetch_related("topics")


def _history_rows(sessions, zone) -> list[dict]:
    """The history table's cells as text: through template filters, dates and durations
    were most of the dashboard's rendering time."""
    rows = []
    for session in sessions:
        started = timezone.localtime(session.started_at, zone)
        finished = session.is_finished
        if finished:
            score = f"{session.score_percent}%"
        elif session.is_abandoned:
            score = f"Abandoned ({session.answered} of {session.size})"
        else:
            score = f"In progress ({session.answered} of {session.size})"
        in_progress = not session.is_over
        rows.append(
            {
                "started": f"{started.day} {started:%b %Y, %H:%M}",
                "topics": ", ".join(topic.name for topic in session.topics.all()) or "All topics",
                "size": str(session.size),
                "score": score,
                "duration": timesince(session.started_at, session.finished_at) if finished else "–",
                "url": session.get_absolute_url(),
                "action": "Resume" if in_progress else "View",
                "abandon_url": reverse("practice_abandon", args=[session.pk])
                if in_progress
                else None,
            }
        )
    return rows


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = get_profile(request.user)
    page = Paginator(_session_history(request.user), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    history = {"page": page, "history": _history_rows(page, profile.zone)}
    if request.htmx and request.GET.get("page"):
        # Another page of the history: none of the figures above it.
        return render(request, "accounts/dashboard.html#history", history)
    stats = build_dashboard(user=request.user, profile=profile)
    context = {
        **history,
        "stats": stats,
        "profile": profile,
        "score_chart": charts.line_chart(stats.score_points),
        "weekly_chart": charts.weekly_chart(stats.weekly),
        "forecast_chart": charts.forecast_chart(stats.forecast),
        "heatmap": charts.heatmap(stats.heatmap),
        "interviews": interview_card(user=request.user, zone=profile.zone),
        "calibration": calibration(request.user),
        "missed_points": points_kept_missing(request.user),
    }
    return render(request, "accounts/dashboard.html", context)


@require_safe
@never_cache
def session_history_csv(request: HttpRequest) -> HttpResponse:
    zone = get_profile(request.user).zone
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="prepsite-sessions.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["started", "finished", "mode", "topics", "questions", "answered", "score_percent",
         "duration_minutes"]
    )  # fmt: skip
    for session in _session_history(request.user).iterator(chunk_size=500):
        duration = (
            round((session.finished_at - session.started_at).total_seconds() / 60, 1)
            if session.finished_at
            else ""
        )
        writer.writerow(
            [
                timezone.localtime(session.started_at, zone).isoformat(timespec="minutes"),
                timezone.localtime(session.finished_at, zone).isoformat(timespec="minutes")
                if session.finished_at
                else ("abandoned" if session.is_abandoned else "in progress"),
                session.get_mode_display(),
                "; ".join(topic.name for topic in session.topics.all()) or "All topics",
                session.size,
                session.answered,
                session.score_percent if session.is_finished else "",
                duration,
            ]
        )
    return response
