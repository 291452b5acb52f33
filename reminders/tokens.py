"""Signed unsubscribe links: they work without logging in and cannot be forged or edited."""

from datetime import timedelta

from django.core import signing

SALT = "reminders.unsubscribe"
# Long enough for an old email in someone's inbox, short enough that a leaked
# link does not work for ever.
MAX_AGE = timedelta(days=90)


def make_unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind); raises signing.SignatureExpired or signing.BadSignature."""
    value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        raise signing.BadSignature("Unexpected token contents.")
    return value[0], value[1]
