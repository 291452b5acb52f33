"""The project's own app config: registers its system checks."""

from django.apps import AppConfig


class PrepsiteConfig(AppConfig):
    """The project itself, installed so that its system checks are registered."""

    name = "prepsite"
    verbose_name = "PrepSite"

    def ready(self):
        from prepsite import checks  # noqa: F401 - registers the checks
