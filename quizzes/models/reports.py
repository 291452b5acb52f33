"""Learners' reports of a wrong or unclear question, resolved by the editors."""

from django.conf import settings
from django.db import models


class Report(models.Model):
    class Reason(models.TextChoices):
        WRONG = "wrong", "The reference answer is wrong"
        UNCLEAR = "unclear", "The question or answer is unclear"
        OTHER = "other", "Something else"

    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="reports"
    )
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
