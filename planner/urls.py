"""The planner's addresses: schedule settings, the optimiser and the retention simulation."""

from django.urls import path

from planner import views

urlpatterns = [
    path("", views.schedule_settings, name="schedule_settings"),
    path("optimise/", views.optimise, name="optimise_schedule"),
    path("decide/", views.decide, name="retention_help"),
]
