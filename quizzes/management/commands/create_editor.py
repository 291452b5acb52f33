import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from quizzes.editors import ensure_editors_group

PASSWORD_VARIABLE = "PREPSITE_EDITOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff user in the Editors group: they can curate topics, questions and key "
        "points and answer learners' reports in the admin, and nothing else. The password is "
        f"asked for twice, or read from the {PASSWORD_VARIABLE} environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The editor's email address.")

    def handle(self, *args, username: str, email: str, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("Give a username.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists; nothing was changed.")
        try:
            User.username_validator(username)
        except ValidationError as exc:
            raise CommandError(f"Username {username!r}: " + " ".join(exc.messages)) from None
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not a valid email address.") from None
            # People log in with their email too, so it must name one account.
            if User.objects.filter(email__iexact=email).exists():
                raise CommandError(f"Another user already has the email {email!r}.")
        group = ensure_editors_group()

        user = User(username=username, email=email, is_staff=True)
        password = self._password()
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password not accepted: " + " ".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(f"Created editor {username!r}; they can log in at /admin/.")
        )

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is not None:
            if not password:
                raise CommandError(f"{PASSWORD_VARIABLE} is set but empty.")
            return password
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError(
                f"No password given. Type it when asked, or set {PASSWORD_VARIABLE}."
            ) from None
        if password != again:
            raise CommandError("The two passwords differ; nothing was changed.")
        if not password:
            raise CommandError("The password must not be empty.")
        return password
