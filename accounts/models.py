"""A learner's profile and their answers counted per local day."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list, such as Europe/London.")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    interview_date = models.DateField(null=True, blank=True)
    daily_goal = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Questions a day.",
    )
    # The scheduler's settings (issue #16). Every scheduling decision reads them
    # (quizzes.scheduling.scheduler_for), so they live on the row a grade already locks.
    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.8), MaxValueValidator(0.97)],
        help_text="The chance of recalling a question when it comes back.",
    )
    new_per_day = models.PositiveSmallIntegerField(
        default=20, validators=[MaxValueValidator(500)], help_text="New questions a day."
    )
    max_reviews_per_day = models.PositiveSmallIntegerField(
        default=200,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text="Reviews a day at most.",
    )
    # FSRS parameters fitted to this learner's reviews (planner.optimiser); None: the defaults.
    fsrs_parameters = models.JSONField(null=True, blank=True)
    # The topics the interview plan covers; none chosen: every topic.
    syllabus = models.ManyToManyField("quizzes.Topic", blank=True, related_name="+")

    def __str__(self):
        return self.display_name or self.user.get_username()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class DailyActivity(models.Model):
    """Answers per learner per local day, kept up to date as grades are recorded.

    The dashboard's streaks, heatmap and goal read this roll-up instead of
    scanning every answer a learner ever gave.
    """

    # Not indexed alone: activity_unique_day leads with it (see quizzes.models.practice).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="daily_activity",
        db_index=False,
    )
    day = models.DateField(help_text="In the learner's time zone when they answered.")
    answers = models.PositiveIntegerField(default=0)
    recalled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="activity_unique_day")]
        verbose_name_plural = "daily activity"

    def __str__(self):
        return f"{self.day}: {self.answers} answers"


class LoginSession(models.Model):
    """A session a learner is logged in with, so that deleting the account ends every one.

    Sessions live in the database or in Redis (SESSION_ENGINE), and neither can be searched
    by user; this is the index. Rows are written on log-in and removed on log-out; those of
    sessions that simply expired are pruned at the learner's next log-in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"
