import hashlib
import math
import uuid

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

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


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    # Out of new sessions for good, but kept: learners' answers and cards point at it.
    RETIRED = "retired", "Retired"


# Prompts and answers have no database limit; this one keeps a bank file or an admin
# form from storing a novel, and the importer reads it from the field (one source of truth).
MAX_TEXT_LENGTH = 20_000
# Learners tick key points one by one: more than ten is a list, not a checklist.
MAX_KEY_POINTS = 10


# Bump when rendering changes so cached HTML from the old renderer is not served.
RENDER_VERSION = 1
# Keys change with every revision, so a long lifetime never serves stale HTML.
RENDER_CACHE_SECONDS = 60 * 60 * 24 * 7


class Kind(models.TextChoices):
    RECALL = "recall", "Recall"
    # The learner types a number, checked against `expected` within `tolerance`.
    CALCULATION = "calculation", "Calculation"


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
        # Report and RECALLED_GRADES are defined further down this module; they are
        # looked up when the method runs.
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


# A question's revision holds its key points and follow-ups: History shows and reverts
# them together.
@reversion.register(follow=["key_points", "follow_ups"])
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

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "key"]
        indexes = [
            models.Index(fields=["status", "topic"], name="question_status_topic"),
            models.Index(fields=["status", "difficulty"], name="question_status_difficulty"),
            GinIndex(fields=["search_vector"], name="question_search"),
        ]

    def __str__(self):
        first_line = self.prompt.strip().splitlines()[0] if self.prompt.strip() else self.key
        return first_line[:80]

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
        """Markdown rendered once per revision of the question, then served from the cache."""
        text = getattr(self, field)
        if self.pk is None or self.updated_at is None:
            return render_markdown(text)
        # The digest also catches edits that bypass updated_at (queryset.update()).
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        revision = f"{self.pk}:{self.updated_at.timestamp()}:{digest}"
        key = f"question-html:{RENDER_VERSION}:{field}:{revision}"
        html = cache.get(key)
        if html is None:
            html = str(render_markdown(text))
            cache.set(key, html, timeout=RENDER_CACHE_SECONDS)
        # Sanitised by render_markdown before it was cached.
        return mark_safe(html)


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


class Report(models.Model):
    class Reason(models.TextChoices):
        WRONG = "wrong", "The reference answer is wrong"
        UNCLEAR = "unclear", "The question or answer is unclear"
        OTHER = "other", "Something else"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="report_open")]

    def __str__(self):
        return f"{self.get_reason_display()} — {self.question}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Mode(models.TextChoices):
    DUE = "due", "Due for review"
    NEW = "new", "New questions"
    WEAKEST = "weakest", "Weakest"
    RANDOM = "random", "Random"
    MISSED = "missed", "Missed questions"
    INTERVIEW = "interview", "Mock interview"
    MISSED_POINTS = "points", "Missed key points"
    LIBRARY = "library", "From the library"


class Confidence(models.TextChoices):
    # Said before revealing; the dashboard compares it with what was recalled.
    SURE = "sure", "Sure"
    UNSURE = "unsure", "Unsure"
    GUESSING = "guessing", "Guessing"


class PracticeSessionQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(finished_at__isnull=False)

    def abandoned(self):
        return self.filter(abandoned_at__isnull=False)


class PracticeSession(models.Model):
    # Not guessable: the address of a session is no hint at anyone else's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    size = models.PositiveSmallIntegerField(help_text="Questions in the session.")
    timer_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the learner gave up on the session: it is never finished, never scored.
    abandoned_at = models.DateTimeField(null=True, blank=True)
    # Kept current as each grade lands, so no page recounts answers.
    answered = models.PositiveSmallIntegerField(default=0)
    recalled = models.PositiveSmallIntegerField(default=0)
    # When the current question was put in front of the learner (for timing).
    current_shown_at = models.DateTimeField(null=True, blank=True)
    # The learner's last "How sure are you?", offered again on the next question.
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    # The grade "Undo last grade" may take back; cleared when it is undone, so only once.
    last_answer = models.ForeignKey(
        "Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="session_user_started"),
            # The dashboard's finished-session count and recent scores.
            models.Index(fields=["user", "finished_at"], name="session_user_finished"),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} session of {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("practice_session", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def is_abandoned(self) -> bool:
        return self.abandoned_at is not None

    @property
    def is_over(self) -> bool:
        """Nothing more can be answered: finished or abandoned."""
        return self.is_finished or self.is_abandoned

    @property
    def score_percent(self) -> int | None:
        """Share of questions graded Hard, Good or Easy, as a whole percent."""
        if not self.answered:
            return None
        return round(100 * self.recalled / self.answered)


class SessionItem(models.Model):
    """One question's place in a session, and what the learner did before grading."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="items")
    # PROTECT: a question in anyone's history is retired, never deleted (see Status).
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    revealed_at = models.DateTimeField(null=True, blank=True)
    typed_answer = models.TextField(blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    # Key point ids the matcher found in the typed answer at reveal (pre-ticked).
    key_points_suggested = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="item_unique_position"),
            models.UniqueConstraint(fields=["session", "question"], name="item_unique_question"),
        ]

    def __str__(self):
        return f"Question {self.position + 1} of {self.session}"


class Grade(models.IntegerChoices):
    # The same numbers as fsrs.Rating.
    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


RECALLED_GRADES = (Grade.HARD, Grade.GOOD, Grade.EASY)


class Answer(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    key_points_ticked = models.JSONField(default=list, blank=True)
    # What the matcher pre-ticked, kept beside the learner's choice (which is what counts).
    key_points_suggested = models.JSONField(default=list, blank=True)
    typed_answer = models.TextField(blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    # Calculation questions: whether the typed number was within tolerance (None: no
    # number typed, or not a calculation).
    number_correct = models.BooleanField(null=True, blank=True)
    seconds_to_reveal = models.PositiveIntegerField(null=True, blank=True)
    seconds_to_grade = models.PositiveIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField()
    # What the grade changed, so that it can be undone exactly: the card's fields before
    # it (null when the question had no card) and when the question was put on screen.
    before = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["answered_at"]
        constraints = [
            # A double click, a replay or a second tab cannot count a grade twice.
            models.UniqueConstraint(fields=["session", "question"], name="answer_once_per_session"),
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=4), name="answer_grade_range"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "answered_at"], name="answer_user_time"),
            models.Index(fields=["question", "answered_at"], name="answer_question_time"),
        ]

    def __str__(self):
        return f"{self.get_grade_display()} on question {self.question_id}"

    @property
    def recalled(self) -> bool:
        return self.grade in RECALLED_GRADES


# A question graded Again this many times is a leech: reviewing it again and again
# is not working (Anki's default is 8; interview preparation has weeks, not years).
LEECH_LAPSES = 6


class CardQuerySet(models.QuerySet):
    def leeches(self):
        """Cards failed LEECH_LAPSES times or more (see Card.is_leech)."""
        return self.filter(lapses__gte=LEECH_LAPSES)

    def in_practice(self):
        """Cards practice brings back: of published questions their learner has not
        suspended. What every "due" count counts."""
        suspended = UserQuestion.objects.filter(
            user=models.OuterRef("user_id"), question=models.OuterRef("question_id"), suspended=True
        )
        return self.filter(question__status=Status.PUBLISHED).exclude(models.Exists(suspended))

    def due_per_day(self, *, zone, today, before) -> dict:
        """{day: cards due} per day of `zone`, for cards due before the instant `before`,
        grouped in SQL; overdue cards are due `today`."""
        rows = (
            self.filter(due__lt=before)
            .annotate(day=TruncDate("due", tzinfo=zone))
            .order_by()
            .values("day")
            .annotate(count=models.Count("id"))
            .values_list("day", "count")
        )
        per_day = {}
        for day, count in rows:
            day = max(day, today)
            per_day[day] = per_day.get(day, 0) + count
        return per_day


class Card(models.Model):
    """A learner's FSRS scheduling state for one question (the fields of fsrs.Card)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="cards")
    state = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0, help_text="Reviews graded Again.")

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="card_unique_per_user")
        ]
        indexes = [models.Index(fields=["user", "due"], name="card_user_due")]

    def __str__(self):
        return f"Card for question {self.question_id}, due {self.due:%Y-%m-%d %H:%M}"

    @property
    def is_leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES


class KeyPointMemory(models.Model):
    """A learner's record of one key point: ticked (hit) or left unticked (missed).

    A missed point is due at once; each hit in a row pushes it out (1, 2, 4… days),
    as a small Leitner box. "Missed key points" practises the due ones.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="key_point_memories"
    )
    key_point = models.ForeignKey(KeyPoint, on_delete=models.CASCADE, related_name="memories")
    hits = models.PositiveIntegerField(default=0)
    misses = models.PositiveIntegerField(default=0)
    # Hits since the last miss.
    streak = models.PositiveSmallIntegerField(default=0)
    last_seen = models.DateTimeField()
    due = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key_point"], name="memory_unique_point")
        ]
        indexes = [models.Index(fields=["user", "due"], name="memory_user_due")]

    def __str__(self):
        return f"{self.hits} hits, {self.misses} misses on key point {self.key_point_id}"


class UserQuestion(models.Model):
    """A learner's own marks on one question: a bookmark, a suspension and a note.

    One row per learner and question, made on the first mark; another learner never sees it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_marks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    bookmarked = models.BooleanField(default=False)
    # Suspended questions leave every practice mode until unsuspended.
    suspended = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="Markdown, the learner's own.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="user_question_unique")
        ]

    def __str__(self):
        return f"Marks on question {self.question_id}"

    @property
    def note_html(self) -> SafeString:
        return render_markdown(self.note)
