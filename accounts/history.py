"""The learner's practice sessions as history: one read and one row shared by the
dashboard's table and its CSV download, so the two cannot disagree about a session."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from quizzes.models import PracticeSession

CSV_HEADER = [
    "started",
    "finished",
    "mode",
    "topics",
    "questions",
    "answered",
    "score_percent",
    "duration_minutes",
]


def session_history(user) -> QuerySet[PracticeSession]:
    """The learner's sessions, newest first (the model's ordering), with their topics."""
    return PracticeSession.objects.filter(user=user).prefetch_related("topics")


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One session as the history shows it, in the learner's time zone."""

    session: PracticeSession
    zone: datetime.tzinfo
    started: datetime.datetime
    topics: list[str]

    @classmethod
    def of(cls, session: PracticeSession, zone: datetime.tzinfo) -> "HistoryRow":
        return cls(
            session=session,
            zone=zone,
            started=timezone.localtime(session.started_at, zone),
            topics=[topic.name for topic in session.topics.all()],
        )

    def table_cells(self) -> dict[str, str | None]:
        """The table's cells as text: through template filters, dates and durations
        were most of the dashboard's rendering time."""
        session = self.session
        finished = session.is_finished
        if finished:
            score = f"{session.score_percent}%"
        elif session.is_abandoned:
            score = f"Abandoned ({session.answered} of {session.size})"
        else:
            score = f"In progress ({session.answered} of {session.size})"
        in_progress = not session.is_over
        return {
            "started": f"{self.started.day} {self.started:%b %Y, %H:%M}",
            "topics": ", ".join(self.topics) or "All topics",
            "size": str(session.size),
            "score": score,
            "duration": timesince(session.started_at, session.finished_at) if finished else "–",
            "url": session.get_absolute_url(),
            "action": "Resume" if in_progress else "View",
            "abandon_url": reverse("practice_abandon", args=[session.pk]) if in_progress else None,
        }

    def csv_cells(self) -> list:
        """The CSV's columns (CSV_HEADER), as a spreadsheet wants them."""
        session = self.session
        if session.finished_at:
            finished = timezone.localtime(session.finished_at, self.zone)
            ended = finished.isoformat(timespec="minutes")
            duration = round((session.finished_at - session.started_at).total_seconds() / 60, 1)
        else:
            ended = "abandoned" if session.is_abandoned else "in progress"
            duration = ""
        return [
            self.started.isoformat(timespec="minutes"),
            ended,
            session.get_mode_display(),
            "; ".join(self.topics) or "All topics",
            session.size,
            session.answered,
            session.score_percent if session.is_finished else "",
            duration,
        ]
