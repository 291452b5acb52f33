"""The question bank: topics, questions with their key points and follow-ups, the limits
the editors and the bank loader check, and a question's Markdown rendered when it is saved
and stored with it (checked against its text and renderer on every read).

Editors change them (the admin, the bank files), with django-reversion keeping each
question's revisions; learners only read them.
"""

import functools
import hashlib
import math
from functools import cached_property
from importlib.metadata import version

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from quizzes.library.text import inline_html
from quizzes.models.choices import RECALLED_GRADES, Difficulty, Kind, Status
from quizzes.models.reports import Report
from quizzes.rendering import render_markdown

KEY_VALIDATOR = RegexValidator(r"^[a-z0-9-]+\Z", "Use lowercase letters, digits and hyphens only.")


class TopicQuerySet(models.QuerySet):
    def with_published_questions(self):
        """Topics with a published question: the ones practice, the library's filter and
        the sitemap offer (an empty one would start no session and list nothing)."""
        published = Question.objects.published().filter(topic=models.OuterRef("pk"))
        return self.filter(models.Exists(published))


@reversion.register()
class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, help_text="Smaller comes first.")
    # What the bank loader last wrote, as for Question.imported_hash.
    imported_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


# Prompts and answers have no database limit; this one keeps a bank file or an admin
# form from storing a novel, and the importer reads it from the field (one source of truth).
MAX_TEXT_LENGTH = 20_000
# Learners tick key points one by one: more than ten is a list, not a checklist.
MAX_KEY_POINTS = 10


# Bump when rendering changes so cached HTML from the old renderer is not served.
RENDER_VERSION = 1
# Keys change with every revision, so a long lifetime never serves stale HTML.
RENDER_CACHE_SECONDS = 60 * 60 * 24 * 7
# Prompts and answers kept rendered in each process (a few kB each): the bank and then some.
RENDERED_IN_PROCESS = 4096
# A question's name (its prompt's first line) is cut to this many characters.
NAME_CHARS = 80


# A relative tolerance above this accepts answers off by more than half: not a check.
MAX_TOLERANCE = 0.5


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def for_topics(self, topics):
        """All questions when `topics` is empty, else those in the given topics."""
        return self.filter(topic__in=topics) if topics else self

    def with_stats(self):
        """Per-question statistics, computed in the same query that lists the questions
        (the editors' admin): answers, recalls, time to reveal, last answer, open reports."""
        open_reports = (
            Report.objects.filter(question=models.OuterRef("pk"), resolved_at__isnull=True)
            .order_by()
            .values("question")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        recalled = Q(answers__grade__in=RECALLED_GRADES)
        return self.annotate(
            times_answered=models.Count("answers"),
            times_recalled=models.Count("answers", filter=recalled),
            avg_seconds_to_reveal=models.Avg("answers__seconds_to_reveal"),
            last_answered=models.Max("answers__answered_at"),
            # A subquery, not a second join: joining reports too would multiply the counts.
            open_reports=models.functions.Coalesce(models.Subquery(open_reports), 0),
        ).annotate(
            recall_rate=models.functions.Cast(models.F("times_recalled"), models.FloatField())
            / models.functions.NullIf(models.F("times_answered"), 0),
        )


# Once per first line in a process: a library page names twenty questions.
@functools.lru_cache(maxsize=16_384)
def _name_html(first_line: str) -> SafeString:
    return inline_html(first_line, limit=NAME_CHARS)


# A question's revision holds its key points and follow-ups: History shows and reverts
# them together.
# (Not the stored HTML: it follows from the text, and a reverted text is rendered anew.)
@reversion.register(
    follow=["key_points", "follow_ups"],
    exclude=["prompt_rendered", "answer_rendered", "rendered_from"],
)
class Question(models.Model):
    key = models.CharField(
        max_length=100,
        unique=True,
        validators=[KEY_VALIDATOR],
        help_text="Stable key used to match this question on import.",
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    prompt = models.TextField(
        max_length=MAX_TEXT_LENGTH, help_text="Markdown. Math in $…$ or $$…$$."
    )
    answer = models.TextField(
        max_length=MAX_TEXT_LENGTH, help_text="The reference answer, in Markdown."
    )
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=300, blank=True)
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        default=Kind.RECALL,
        help_text="Calculation: the learner types a number, checked against Expected.",
    )
    expected = models.FloatField(
        null=True,
        blank=True,
        help_text="Calculation only: the reference number, in the unit the prompt asks for.",
    )
    unit = models.CharField(
        max_length=20,
        blank=True,
        help_text="Calculation only: shown after the input box, e.g. GB. May be empty.",
    )
    tolerance = models.FloatField(
        null=True,
        blank=True,
        help_text=f"Calculation only: relative, above 0 and at most {MAX_TOLERANCE} "
        "(0.05 accepts 5% either side).",
    )
    # PostgreSQL's full-text index of prompt, answer, key points and tags, kept current by
    # database triggers (migration 0004) like any index, so no write path can forget it.
    # Unused (always NULL) on SQLite, where the library searches with LIKE instead.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The content hash (quizzes.bank.content_hash) of what the bank loader last wrote.
    # When the question's current hash differs, an editor changed it since, and a
    # load keeps the edit unless told to overwrite it. Empty: never loaded from a file.
    imported_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The prompt and answer as HTML, rendered when the question was saved, and the digest
    # (render_digest) of the text and renderer they came from. Every page that shows the
    # question reads them with its row; a row whose digest no longer matches (an update()
    # that bypassed save, a new RENDER_VERSION) is rendered through the caches instead.
    prompt_rendered = models.TextField(blank=True, editable=False)
    answer_rendered = models.TextField(blank=True, editable=False)
    rendered_from = models.CharField(max_length=32, blank=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "key"]
        indexes = [
            # With the id: a random session start can pick among the published questions
            # (of some topics) from the index, without reading the wide rows (issue #22).
            models.Index(fields=["status", "topic", "id"], name="question_status_topic_id"),
            models.Index(fields=["status", "difficulty"], name="question_status_difficulty"),
            GinIndex(fields=["search_vector"], name="question_search"),
        ]

    def __str__(self):
        first_line = self._first_line()
        if len(first_line) <= NAME_CHARS:
            return first_line
        # The ellipsis given: Truncator looked it up in the translations on each call, a
        # tenth of a library search's time (issue #22).
        return Truncator(first_line).chars(NAME_CHARS, truncate="…")

    def save(self, *args, **kwargs):
        # Columns derived from this row's own text, kept with it as auto_now keeps
        # updated_at: no other row is written.
        self.fill_rendered()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"prompt", "answer"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *RENDERED_FIELDS}
        super().save(*args, **kwargs)

    def _first_line(self) -> str:
        return self.prompt.strip().splitlines()[0] if self.prompt.strip() else self.key

    @property
    def name_html(self) -> SafeString:
        """The name in a page: str()'s first line of the prompt, without Markdown, with its
        formulas typeset (quizzes.library.text.inline_html) and cut between them."""
        return _name_html(self._first_line())

    def fill_rendered(self) -> None:
        """Store the prompt and answer rendered, unless they already are from this text
        (the bank loader calls it before its bulk writes, which bypass save)."""
        digest = render_digest(self.prompt, self.answer)
        if self.rendered_from != digest:
            self.prompt_rendered = str(render_markdown(self.prompt))
            self.answer_rendered = str(render_markdown(self.answer))
            self.rendered_from = digest

    def clean(self):
        super().clean()
        errors = calculation_errors(
            kind=self.kind, expected=self.expected, tolerance=self.tolerance
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_calculation(self) -> bool:
        return self.kind == Kind.CALCULATION

    @cached_property
    def key_point_ids(self) -> list[int]:
        """Its key points' ids, read once per instance: a grade checks the ticks against
        them (GradeForm) and, on SQLite, counts a hit or a miss for each (quizzes.grading;
        on PostgreSQL the grade's statement reads them)."""
        return list(self.key_points.values_list("pk", flat=True))

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def prompt_html(self) -> SafeString:
        return self._rendered("prompt")

    @property
    def answer_html(self) -> SafeString:
        return self._rendered("answer")

    def _rendered(self, field: str) -> SafeString:
        """The field's Markdown as HTML: as stored with the row when it is current, else
        rendered once per revision of the question and served from the caches."""
        text = getattr(self, field)
        if self.rendered_from and self.rendered_from == render_digest(self.prompt, self.answer):
            # Sanitised by render_markdown before it was stored.
            return mark_safe(getattr(self, f"{field}_rendered"))
        if self.pk is None or self.updated_at is None:
            return render_markdown(text)
        # The digest also catches edits that bypass updated_at (queryset.update()).
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        revision = f"{self.pk}:{self.updated_at.timestamp()}:{digest}"
        # Sanitised by render_markdown before it was cached.
        return mark_safe(_cached_html(f"question-html:{RENDER_VERSION}:{field}:{revision}", text))


RENDERED_FIELDS = ("prompt_rendered", "answer_rendered", "rendered_from")


# What renders a question besides our code: a new release of any of these may render or
# sanitise differently (a security fix of nh3, say), so HTML stored by an older one is not
# served once it is installed.
RENDERER_PACKAGES = ":".join(
    f"{name}={version(name)}" for name in ("markdown-it-py", "mdit-py-plugins", "nh3", "Pygments")
)


def render_digest(prompt: str, answer: str) -> str:
    """What a question's stored HTML was rendered from: its text and the renderer."""
    source = f"{RENDER_VERSION}:{RENDERER_PACKAGES}\0{prompt}\0{answer}".encode()
    return hashlib.blake2b(source, digest_size=16).hexdigest()


@functools.lru_cache(maxsize=RENDERED_IN_PROCESS)
def _cached_html(key: str, text: str) -> str:
    """A question's rendered HTML by revision: in this process first, then the shared cache.

    The key names the revision (and the text is part of the key here too), so an entry is
    never stale; the process keeps the most used, and a page asks the shared cache only for
    questions this worker has not shown yet.
    """
    html = cache.get(key)
    if html is None:
        html = str(render_markdown(text))
        cache.set(key, html, timeout=RENDER_CACHE_SECONDS)
    return html


def calculation_errors(*, kind: str, expected, tolerance) -> dict[str, str]:
    """What a calculation question lacks (shared by the admin and the bank loader)."""
    if kind != Kind.CALCULATION:
        return {}
    errors = {}
    if expected is None or not math.isfinite(expected):
        errors["expected"] = "A calculation needs the expected number."
    if tolerance is None or not 0 < tolerance <= MAX_TOLERANCE:
        errors["tolerance"] = (
            f"A calculation needs a tolerance above 0 and at most {MAX_TOLERANCE}."
        )
    return errors


# Each accepted phrasing is short: it is matched against a learner's typed answer.
MAX_ALIASES = 10
ALIAS_LENGTH = 140


@reversion.register()
class KeyPoint(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="key_points")
    text = models.CharField(max_length=140)
    order = models.PositiveSmallIntegerField(default=0)
    # One per line: other words a learner may use for this point ("inference" for
    # "test time"). The suggestion matcher accepts any of them.
    aliases = models.TextField(
        "accepted phrasings",
        blank=True,
        max_length=MAX_ALIASES * (ALIAS_LENGTH + 1),
        help_text="One per line: other ways a learner may say this point.",
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


def split_aliases(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@reversion.register()
class FollowUp(models.Model):
    """What an interviewer asks next when a key point of the question was missed."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follow_ups")
    # The 1-based number of the key point (in the question's order) whose miss asks this;
    # empty: asked after every answer. A number, as in the bank files, so a rewording of
    # the point (updated in place) keeps its follow-up.
    after_missing = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Number of the key point (1 = first) whose miss asks this. Empty: always.",
    )
    prompt = models.TextField(max_length=MAX_TEXT_LENGTH, help_text="Markdown.")
    answer = models.TextField(
        max_length=MAX_TEXT_LENGTH, help_text="A short reference answer, in Markdown."
    )
    order = models.PositiveSmallIntegerField(default=0)
    # As Question.imported_hash: the content hash the bank loader last wrote here.
    imported_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return f"Follow-up: {self.prompt.strip()[:70]}"

    @property
    def prompt_html(self) -> SafeString:
        return render_markdown(self.prompt)

    @property
    def answer_html(self) -> SafeString:
        return render_markdown(self.answer)
