"""What each learner asked to be sent, and a record of every email PrepSite sent them."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class ReminderSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    daily = models.BooleanField("Email me when reviews are due", default=False)
    hour = models.PositiveSmallIntegerField(
        "Reminder time",
        default=18,
        validators=[MaxValueValidator(23)],
        help_text="In your own time zone.",
    )
    weekly = models.BooleanField(
        "Weekly progress email", default=False, help_text="On Mondays, at your reminder time."
    )
    # The secret part of the calendar feed's address; a new one revokes the old.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self):
        return f"Reminders for {self.user}"


class Delivery(models.Model):
    """One email for one learner and local day, recorded before it is sent.

    The unique constraint is what makes a reminder go out once: two senders, a
    rerun or a retried task all meet the same row.
    """

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily reminder"
        WEEKLY = "weekly", "Weekly progress"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField(help_text="The learner's local date the email is for.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "day"], name="delivery_once_a_day")
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="delivery_state_updated")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user} on {self.day}: {self.state}"
