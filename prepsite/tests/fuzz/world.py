"""The world the fuzz requests land in: ada with sessions in several states, grace with one
of her own, the field names of every form the pages render, and the clients that send them.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import Profile
from interviews.services import start_interview
from prepsite.tests.endpoints import all_endpoints
from quizzes import services
from quizzes.models import Mode, Question
from quizzes.tests.factories import QuestionFactory, TopicFactory
from reminders.services import get_settings
from reminders.tokens import make_unsubscribe_token

ENDPOINTS = all_endpoints()


FIELD_TAGS = ("input", "select", "textarea", "button")


class FormFields(HTMLParser):
    """The names of every field of every form on a page, keyed by the form's action."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.action = None
        self.forms: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or attrs.get("hx-post") or self.page_path
            self.forms.setdefault(self.action, set())
        elif tag in FIELD_TAGS and attrs.get("name") and self.action is not None:
            self.forms[self.action].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.action = None


# The world the requests land in -----------------------------------------------------------

# Field names per route: the same for every test, so the pages are crawled once a run.
DISCOVERED: dict[str, set[str]] = {}


class World:
    """The learner (ada) with sessions in several states, and grace with one of her own."""

    def __init__(self, learner, other):
        self.learner = learner
        self.other = other
        topics = [TopicFactory(name="Optimisation"), TopicFactory(name="Losses")]
        for number in range(8):
            QuestionFactory(topic=topics[number % 2])
        for user in (learner, other):
            Profile.objects.get_or_create(user=user)
        self.finished = self._session(learner, size=3, graded=3)
        self.active = self._session(learner, size=5, graded=1)
        self.theirs = self._session(other, size=3, graded=1)
        self.interview = start_interview(user=learner, minutes=30, level="medium")
        self.their_interview = start_interview(user=other, minutes=30, level="medium")
        if not DISCOVERED:
            DISCOVERED.update(self._discover_fields())
        self.fields = DISCOVERED

    @staticmethod
    def _session(user, *, size, graded, reveal_current=True):
        session = services.start_session(user=user, mode=Mode.RANDOM, size=size).session
        for item in session.items.order_by("position")[:graded]:
            services.reveal(item=item, typed_answer="a try")
            services.record_grade(
                session=session, item=item, grade=1 + item.position % 4, key_point_ids=[]
            )
        current = session.items.filter(position=graded).first()
        if current and reveal_current:
            services.reveal(item=current, typed_answer="")  # so the grade form shows
        session.refresh_from_db()
        return session

    def current_session(self):
        """The learner's session in progress, a new one when fuzzing has finished it."""
        self.active.refresh_from_db()
        if self.active.is_finished:
            self.active = self._session(self.learner, size=5, graded=0)
        return self.active

    def _discover_fields(self) -> dict[str, set[str]]:
        """Field names per route name, from the forms the pages render (to a learner in the
        middle of a session, at its start, and to a stranger)."""
        unrevealed = self._session(self.learner, size=2, graded=0, reveal_current=False)
        urls = [endpoint.url(self.arguments(own=True)) for endpoint in ENDPOINTS]
        urls.append(unrevealed.get_absolute_url())
        fields: dict[str, set[str]] = {}
        for client in (logged_in(self.learner), Client()):
            for url in urls:
                response = client.get(url, follow=True)
                if response.status_code != 200 or "html" not in response["Content-Type"]:
                    continue
                parser = FormFields(response.request["PATH_INFO"])
                parser.feed(response.content.decode())
                for action, names in parser.forms.items():
                    try:
                        name = resolve(urlsplit(action).path).url_name
                    except Resolver404:
                        continue
                    fields.setdefault(name, set()).update(names - {"csrfmiddlewaretoken"})
        return fields

    def arguments(self, *, own: bool) -> dict:
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        session = self.current_session() if own else self.theirs
        question = Question.objects.published().select_related("topic").first()
        return {
            "topic_slug": question.topic.slug,
            "question_key": question.key,
            "session_id": session.pk,
            "interview_id": (self.interview if own else self.their_interview).pk,
            "position": session.answered,
            "uidb64": urlsafe_base64_encode(force_bytes(self.learner.pk)),
            "token": default_token_generator.make_token(self.learner),
            "calendar_token": get_settings(self.learner).calendar_token,
            "unsubscribe_token": make_unsubscribe_token(user_id=self.learner.pk, kind="daily"),
        }


def logged_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf, raise_request_exception=True)
    client.force_login(user)
    return client


class Clients:
    """One client of each kind per test: a new Client loads the middleware again (and
    WhiteNoise rescans the static files), which would cost more than the request."""

    def __init__(self, learner):
        self.learner = learner
        self._plain = Client(raise_request_exception=True)
        self._strict = Client(enforce_csrf_checks=True, raise_request_exception=True)
        self._anonymous = Client(raise_request_exception=True)

    def learner_client(self, *, enforce_csrf: bool = False) -> Client:
        # Logged in afresh each time: an example may have logged out or changed the password.
        client = self._strict if enforce_csrf else self._plain
        client.cookies.clear()
        client.force_login(self.learner)
        return client

    def anonymous(self) -> Client:
        self._anonymous.cookies.clear()
        return self._anonymous
