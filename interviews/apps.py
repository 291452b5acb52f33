"""The mock interviews app: a timed run of questions with follow-ups and a report."""

from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Mock interviews"
