"""The reminders' addresses: settings, a new calendar link, the calendar feed and the
one-click unsubscribe."""

from django.urls import path

from reminders import views

urlpatterns = [
    path("settings/", views.update_settings, name="reminder_settings"),
    path("calendar/new/", views.new_calendar_link, name="new_calendar_link"),
    path("calendar/<str:calendar_token>.ics", views.calendar_feed, name="calendar_feed"),
    path("unsubscribe/<str:unsubscribe_token>/", views.unsubscribe, name="unsubscribe"),
]
