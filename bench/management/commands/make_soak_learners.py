"""`manage.py make_soak_learners`: the soak's learners, with a session made for most of them.

Prints one JSON line: {"users": [...], "cookies": {username: session key}}. The first
--form-logins learners get no session: they log in through the form, as people do. The
rest start logged in, because 100 real password checks (about a second of CPU each) would
be most of the soak's minute. Run by bench/soak/run.py on its own fresh database.
"""

import importlib
import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand

from accounts.models import Profile


class Command(BaseCommand):
    help = "Create the soak's learners (soakNNN) and sessions for all but the first few."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=100)
        parser.add_argument("--form-logins", type=int, default=5)
        parser.add_argument("--password", required=True)

    def handle(self, *args, **options):
        User = get_user_model()
        password = make_password(options["password"])  # one hash for all: each costs a second
        users = User.objects.bulk_create(
            User(username=f"soak{n:03d}", email=f"soak{n:03d}@example.com", password=password)
            for n in range(options["learners"])
        )
        Profile.objects.bulk_create(Profile(user=user) for user in users)
        store = importlib.import_module(settings.SESSION_ENGINE).SessionStore
        cookies = {}
        for user in users[options["form_logins"] :]:
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "accounts.backends.UsernameOrEmailBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            cookies[user.username] = session.session_key
        self.stdout.write(json.dumps({"users": [u.username for u in users], "cookies": cookies}))
