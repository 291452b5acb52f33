"""A mock interview: a timed practice session with a clock per question and follow-ups.

The questions are a PracticeSession of mode "interview" (its items, answers and FSRS cards
are exactly those of practice); what an interview adds is the order of steps (each
question, then the follow-ups its missed key points brought), the server-side clock of
each step and the overtime.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.models import Difficulty, FollowUp, PracticeSession, SessionItem

# An interview left alone for longer than its length plus this ends itself.
AUTO_END_MARGIN = timedelta(minutes=15)


class InterviewQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(finished_at__isnull=True)

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def overdue(self, now: datetime):
        """In progress past their length plus the margin: to be ended with what was answered
        (Interview.is_overdue, as one indexed comparison)."""
        return self.in_progress().filter(deadline__lt=now - AUTO_END_MARGIN)


class Interview(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews"
    )
    session = models.OneToOneField(
        PracticeSession, on_delete=models.CASCADE, related_name="interview"
    )
    minutes = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=Difficulty.choices)
    question_seconds = models.PositiveSmallIntegerField(help_text="Budget of each question.")
    follow_up_seconds = models.PositiveSmallIntegerField(help_text="Budget of each follow-up.")
    started_at = models.DateTimeField()
    # started_at + minutes, stored so "overdue" is one indexed comparison.
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # True when it ended itself (left past its length plus the margin).
    ended_automatically = models.BooleanField(default=False)
    # Kept when it finishes, for the dashboard's list and trend.
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="interview_user_started"),
            models.Index(fields=["finished_at", "deadline"], name="interview_open_deadline"),
        ]

    def __str__(self):
        return f"{self.minutes}-minute interview of {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("interview_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.deadline - now).total_seconds()))

    @property
    def ends_itself_at(self) -> datetime:
        """Left alone until then, it ends itself, as of that moment."""
        return self.deadline + AUTO_END_MARGIN

    def is_overdue(self, now: datetime) -> bool:
        """The one rule of "overdue" (InterviewQuerySet.overdue is the same in SQL)."""
        return not self.is_finished and now > self.ends_itself_at


class InterviewStep(models.Model):
    """One question or follow-up as asked, with its clock.

    Steps are ordered by the question's position, then `sub`: 0 for the question itself,
    1, 2… for the follow-ups it brought, which therefore come next.
    """

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="steps")
    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    sub = models.PositiveSmallIntegerField(default=0)
    # PROTECT: a follow-up somebody was asked is kept in their report.
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    budget_seconds = models.PositiveSmallIntegerField()
    # Set when the step is put in front of the learner: its clock runs from here,
    # whatever the browser does (reloads, a closed tab, a resumed interview).
    shown_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    # The budget ran out before the learner revealed: the server revealed it.
    auto_revealed = models.BooleanField(default=False)
    typed_answer = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    overtime_seconds = models.PositiveIntegerField(default=0)
    # For a follow-up: did the learner's answer cover the reference? (no FSRS card).
    covered = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["position", "sub"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "position", "sub"], name="interview_step_unique"
            ),
            models.CheckConstraint(
                condition=Q(sub=0, follow_up__isnull=True) | Q(sub__gt=0, follow_up__isnull=False),
                name="interview_step_follow_up_sub",
            ),
        ]

    def __str__(self):
        kind = "Follow-up" if self.follow_up_id else "Question"
        return f"{kind} {self.position + 1}.{self.sub} of {self.interview}"

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_id is not None

    def seconds_left(self, now: datetime) -> int:
        if self.shown_at is None:
            return self.budget_seconds
        return max(0, self.budget_seconds - int((now - self.shown_at).total_seconds()))

    def budget_over(self, now: datetime) -> bool:
        return self.shown_at is not None and self.seconds_left(now) == 0

    def seconds_taken(self) -> int | None:
        if self.shown_at is None or self.done_at is None:
            return None
        return int((self.done_at - self.shown_at).total_seconds())
