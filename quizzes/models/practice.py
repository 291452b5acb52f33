"""Practice sessions: the questions each session holds, and the answers graded in it."""

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.models.choices import RECALLED_GRADES, Confidence, Grade, Mode
from quizzes.numbers import NumberCheck, check_number


class PracticeSessionQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(finished_at__isnull=False)

    def abandoned(self):
        return self.filter(abandoned_at__isnull=False)


class PracticeSession(models.Model):
    # Not guessable: the address of a session is no hint at anyone else's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Not indexed alone: session_user_started leads with it (see Answer).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_sessions",
        db_index=False,
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    topics = models.ManyToManyField("quizzes.Topic", blank=True, related_name="+")
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

    # Not indexed alone: item_unique_position leads with it (see Answer).
    session = models.ForeignKey(
        PracticeSession, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    # PROTECT: a question in anyone's history is retired, never deleted (see Status).
    question = models.ForeignKey("quizzes.Question", on_delete=models.PROTECT, related_name="+")
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

    @cached_property
    def number_check(self) -> NumberCheck:
        """A calculation's typed number against the reference, parsed once: the reveal,
        the grade and the card showing the result all read it here."""
        return check_number(self.question, self.typed_answer)


class Answer(models.Model):
    # None of the three is indexed alone: an index of Meta (or a constraint's) leads with
    # each, and serves every lookup by it, the deletes' included. Every index is written
    # again with each grade (issue #22).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    session = models.ForeignKey(
        PracticeSession, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.PROTECT, related_name="answers", db_index=False
    )
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
            # A learner's answers to one question, latest last: the library's last grade
            # and "Your history", and the optimiser's read of a learner's reviews.
            models.Index(
                fields=["user", "question", "answered_at"], name="answer_user_question_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_grade_display()} on question {self.question_id}"

    @property
    def recalled(self) -> bool:
        return self.grade in RECALLED_GRADES
