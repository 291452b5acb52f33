"""The dashboard's "Mock interviews" card: the latest interviews and their scores' trend."""

from django.utils import timezone

from accounts import charts
from interviews import services
from interviews.models import Interview

SHOWN = 10
TREND = 20
# The trend's dashed line: the average of this many interviews.
AVERAGE_OF = 3


def interview_card(*, user, zone) -> dict:
    """In one query (plus one per interview that has just ended itself)."""
    now = timezone.now()
    latest = list(Interview.objects.filter(user=user).select_related("session")[:TREND])
    for interview in latest:
        if interview.is_overdue(now):
            # Left past its length and the margin: it ends itself when next looked at.
            services.resume(interview=interview, now=now)
    rows = []
    for interview in latest[:SHOWN]:
        started = timezone.localtime(interview.started_at, zone)
        if interview.is_finished:
            score = "–" if interview.score_percent is None else f"{interview.score_percent}%"
            url, action = services.report_url(interview), "Report"
        else:
            score, url, action = "In progress", interview.get_absolute_url(), "Resume"
        rows.append(
            {
                "started": f"{started.day} {started:%b %Y, %H:%M}",
                "minutes": interview.minutes,
                "level": interview.get_level_display(),
                "score": score,
                "url": url,
                "action": action,
            }
        )
    scored = [i for i in reversed(latest) if i.is_finished and i.score_percent is not None]
    points = []
    for index, interview in enumerate(scored):
        window = scored[max(0, index - AVERAGE_OF + 1) : index + 1]
        started = timezone.localtime(interview.started_at, zone)
        points.append(
            {
                "label": f"{started.day} {started:%b %Y}",
                "score": interview.score_percent,
                "average": round(sum(i.score_percent for i in window) / len(window)),
            }
        )
    return {"rows": rows, "points": points, "chart": charts.line_chart(points)}
