"""The reminders app: daily and weekly emails, the calendar feed and unsubscribing."""

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders and email"
