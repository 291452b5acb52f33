"""How long things took, in words, written once.

A session's duration is shown by its summary, by the dashboard's Sessions table and by that
table's CSV: all three read it here, so they cannot disagree about a session.
"""

from datetime import datetime, timedelta

from quizzes.models import Mode, PracticeSession

NOT_OVER = "–"


def minutes_in_words(duration: timedelta) -> str:
    """'under a minute', '12 min', '1 h 5 min': to the nearest minute, never '0 min'."""
    seconds = duration.total_seconds()
    if seconds < 60:
        return "under a minute"
    # Half a minute rounds up (round() would send 2.5 to 2).
    hours, minutes = divmod(int(seconds + 30) // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def seconds_in_words(seconds: int) -> str:
    """'45 s', '4 min 49 s', '2 min': a budget or a time taken, to the second."""
    minutes, seconds = divmod(seconds, 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def session_span(session: PracticeSession) -> tuple[datetime, datetime | None]:
    """When the session started and ended as the learner saw it; no end until it is finished.

    A mock interview's is the interview's own clock: its session finishes when its last
    question is graded, which can be minutes before that question's follow-ups end the
    interview. Only a session of mode "interview" reads its interview (history selects it
    with the session; elsewhere that costs a query a practice session need not make).
    """
    if session.mode == Mode.INTERVIEW and (interview := interview_of(session)):
        return interview.started_at, interview.finished_at
    return session.started_at, session.finished_at


def interview_of(session: PracticeSession):
    """The session's mock interview (interviews.models.Interview), or None."""
    # select_related caches a missing interview as None; reading it then raises
    # RelatedObjectDoesNotExist, an AttributeError.
    return getattr(session, "interview", None)


def session_duration(session: PracticeSession) -> timedelta | None:
    """From start to finish; None for a session not finished (in progress or abandoned)."""
    started, finished = session_span(session)
    return None if finished is None else finished - started


def session_duration_in_words(session: PracticeSession) -> str:
    """What every page says a session lasted: '12 min', or '–' when it is not finished."""
    duration = session_duration(session)
    return NOT_OVER if duration is None else minutes_in_words(duration)
