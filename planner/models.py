"""The record of each fit of a learner's FSRS parameters (the parameters in use are on the
Profile)."""

from django.conf import settings
from django.db import models


class ParameterFitQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def latest_first(self):
        return self.order_by("-fitted_at", "-pk")


class ParameterFit(models.Model):
    """One optimisation of a learner's FSRS parameters, and how well it predicts them.

    The parameters in use are on the learner's Profile; these rows are the record
    (the latest one is the health check on the profile page).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parameter_fits"
    )
    fitted_at = models.DateTimeField()
    reviews = models.PositiveIntegerField(help_text="Answers in the history it was fitted on.")
    parameters = models.JSONField()
    adopted = models.BooleanField(help_text="Predicts better than the defaults, so in use.")
    seconds = models.FloatField(help_text="Time the optimiser took.")
    log_loss_default = models.FloatField()
    log_loss_fitted = models.FloatField()
    rmse_default = models.FloatField()
    rmse_fitted = models.FloatField()
    # Recall observed against predicted by the fitted parameters, by time since the
    # previous review: [{"label", "reviews", "observed", "predicted"}, ...].
    retention_table = models.JSONField(default=list)

    objects = ParameterFitQuerySet.as_manager()

    class Meta:
        ordering = ["-fitted_at"]
        indexes = [models.Index(fields=["user", "-fitted_at"], name="fit_user_latest")]

    def __str__(self):
        return f"Fit on {self.reviews} reviews at {self.fitted_at:%Y-%m-%d %H:%M}"

    @property
    def improvement_percent(self) -> int:
        """How much closer the fitted parameters' predictions are than the defaults'
        (relative fall in RMSE of predicted against observed recall)."""
        if self.rmse_default <= 0:
            return 0
        return round(100 * (self.rmse_default - self.rmse_fitted) / self.rmse_default)
