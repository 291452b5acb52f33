"""The email settings and calendar section of the profile page, as an inclusion tag."""

from django import template
from django.urls import reverse

from reminders import services
from reminders.forms import ReminderSettingsForm

register = template.Library()


@register.inclusion_tag("reminders/settings_card.html", takes_context=True)
def reminder_settings(context):
    """The email settings and calendar section of the profile page."""
    request = context["request"]
    found = services.get_settings(request.user)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "form": ReminderSettingsForm(instance=found),
        "calendar_url": request.build_absolute_uri(
            reverse("calendar_feed", args=[found.calendar_token])
        ),
    }
