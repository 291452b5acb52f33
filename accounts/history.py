"""The learner's practice sessions as history: one read and one row shared by the
dashboard's table and its CSV download, so the two cannot disagree about a session.

A mock interview is a practice session too (mode "interview"), but it is shown as the
interview: its score is the share of key points its report gives, not the share of
questions recalled, and its link is the report.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from interviews.models import Interview
from quizzes.durations import (
    interview_of,
    session_duration,
    session_duration_in_words,
    session_span,
)
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
    """The learner's sessions, newest first (the model's ordering), with their topics and,
    joined in the same query, the mock interview a session belongs to."""
    return (
        PracticeSession.objects.filter(user=user)
        .select_related("interview")
        .prefetch_related("topics")
    )


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
            started=timezone.localtime(session_span(session)[0], zone),
            topics=[topic.name for topic in session.topics.all()],
        )

    def table_cells(self) -> dict[str, str | None]:
        """The table's cells as text: through template filters, dates and durations
        were most of the dashboard's rendering time."""
        session = self.session
        if interview := interview_of(session):
            return self._interview_cells(interview)
        finished = session.is_finished
        if finished:
            score = f"{session.score_percent}%"
        elif session.is_abandoned:
            score = f"Abandoned ({session.answered} of {session.size})"
        else:
            score = f"In progress ({session.answered} of {session.size})"
        in_progress = not session.is_over
        return {
            **self._common_cells(),
            "noun": "session",
            "score": score,
            "url": session.get_absolute_url(),
            "action": "Resume" if in_progress else "View",
            "abandon_url": reverse("practice_abandon", args=[session.pk]) if in_progress else None,
        }

    def _common_cells(self) -> dict[str, str]:
        session = self.session
        return {
            "started": f"{self.started.day} {self.started:%b %Y, %H:%M}",
            "kind": session.get_mode_display(),
            "topics": ", ".join(self.topics) or "All topics",
            "size": str(session.size),
            "duration": session_duration_in_words(session),
        }

    def _interview_cells(self, interview: Interview) -> dict[str, str | None]:
        """An interview links to its report once over, else back to its clock; it is
        ended on its own page, never abandoned as a practice session."""
        session = self.session
        if interview.is_finished:
            # As the interview card and the report show it.
            score = "–" if interview.score_percent is None else f"{interview.score_percent}%"
            url, action = reverse("interview_report", args=[interview.pk]), "View"
        else:
            score = f"In progress ({session.answered} of {session.size})"
            url, action = interview.get_absolute_url(), "Resume"
        return {
            **self._common_cells(),
            "noun": "mock interview",
            "score": score,
            "url": url,
            "action": action,
            "abandon_url": None,
        }

    def csv_cells(self) -> list:
        """The CSV's columns (CSV_HEADER), as a spreadsheet wants them."""
        session = self.session
        # The same start, end and duration as the table's (a mock interview's own clock).
        _, finished = session_span(session)
        if finished:
            ended = timezone.localtime(finished, self.zone).isoformat(timespec="minutes")
            duration = round(session_duration(session).total_seconds() / 60, 1)
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
            self._csv_score(),
            duration,
        ]

    def _csv_score(self) -> int | str:
        session = self.session
        if interview := interview_of(session):
            # The report's share of key points; none when no key point was asked.
            if interview.is_finished and interview.score_percent is not None:
                return interview.score_percent
            return ""
        return session.score_percent if session.is_finished else ""
