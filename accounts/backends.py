"""How a learner is recognised at log-in, and the name django-axes counts their failures under."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
