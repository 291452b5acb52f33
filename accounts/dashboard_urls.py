"""The dashboard's addresses, included at /dashboard/ by prepsite.urls."""

from django.urls import path

from accounts.views.dashboard import dashboard, session_history_csv

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("sessions.csv", session_history_csv, name="session_history_csv"),
]
