"""How a learner is recognised at log-in and on every request after it, and the name
django-axes counts their failures under."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from prepsite.rows import Columns


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the username or the email address, either in any case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        field = "email__iexact" if "@" in username else "username__iexact"
        user = User._default_manager.filter(**{field: username}).order_by("pk").first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The logged-in user, read on every request: as ModelBackend reads them, through
        a statement written once instead of a query compiled per request (issue #22)."""
        columns, sql = _user_by_id(connection.vendor)
        pk = columns.model._meta.pk.get_db_prep_value(user_id, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        user = columns.instance(row) if row is not None else None
        return user if user is not None and self.user_can_authenticate(user) else None


@cache
def _user_by_id(vendor: str) -> tuple[Columns, str]:
    # By backend: its quoting of the columns' names.
    User = get_user_model()
    columns = Columns(User, "u")
    quote = connection.ops.quote_name
    table, pk = quote(User._meta.db_table), quote(User._meta.pk.column)
    return columns, f"SELECT {columns.sql()} FROM {table} u WHERE u.{pk} = %s"


def lockout_username(request, credentials: dict | None) -> str | None:
    """The name django-axes counts failed log-ins under (AXES_USERNAME_CALLABLE).

    The log-in takes the username or the email address in any case, so "Ada",
    "ada" and "ada@example.com" are one account; counting them apart would let
    someone multiply the failure limit by varying what they type.
    """
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    if not typed:
        return None
    typed = typed.strip().lower()
    if "@" in typed:
        username = (
            get_user_model()
            ._default_manager.filter(email__iexact=typed)
            .order_by("pk")
            .values_list("username", flat=True)
            .first()
        )
        if username:
            return username.lower()
    return typed
