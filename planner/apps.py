"""The planner app: a learner's schedule settings, their fitted FSRS parameters and the
interview plan."""

from django.apps import AppConfig


class PlannerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planner"
    verbose_name = "Schedule planner"
