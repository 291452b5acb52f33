"""The schedule section of the profile page, as an inclusion tag."""

from django import template

from accounts.services import get_profile
from planner.forms import ScheduleForm
from planner.models import ParameterFit
from planner.optimiser import MIN_REVIEWS

register = template.Library()


@register.inclusion_tag("planner/settings_card.html", takes_context=True)
def schedule_settings(context):
    """The schedule section of the profile page: settings, optimiser and its health check."""
    request = context["request"]
    profile = get_profile(request.user)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "form": ScheduleForm(instance=profile),
        "fit": ParameterFit.objects.for_user(request.user).latest_first().first(),
        "min_reviews": MIN_REVIEWS,
        "fitted": bool(profile.fsrs_parameters),
    }
