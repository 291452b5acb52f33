"""Bookkeeping on Django's log-in and log-out signals: the only hook every log-in path
(sign-up, the log-in page, the editors' admin log-in, tests' force_login) goes through."""

from accounts import services


def remember_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        services.record_login_session(user=user, session_key=session.session_key)


def forget_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        services.forget_login_session(session_key=session.session_key)
