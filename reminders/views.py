"""The reminders' views: saving the settings, a new calendar link, the calendar feed and
unsubscribing from a signed link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from reminders import services
from reminders.feed import review_calendar
from reminders.forms import ReminderSettingsForm
from reminders.models import Delivery, ReminderSettings
from reminders.tokens import read_unsubscribe_token


@require_http_methods(["GET", "HEAD", "POST"])
def update_settings(request: HttpRequest) -> HttpResponse:
    """The profile page shows this form too; this page is where a bad value comes back."""
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=services.get_settings(request.user),
    )
    if request.method == "POST" and form.is_valid():
        services.update_settings(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email settings have been saved.")
        return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "reminders/settings.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def new_calendar_link(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.new_calendar_link(user=request.user)
        messages.success(request, "Your calendar has a new address; the old one no longer works.")
        return redirect("profile")
    return render(request, "reminders/new_calendar_link.html")


@login_not_required
@require_safe
def calendar_feed(request: HttpRequest, calendar_token: str) -> HttpResponse:
    # The token is the only credential: a calendar app cannot log in.
    owner = get_object_or_404(
        ReminderSettings.objects.select_related("user"), calendar_token=calendar_token
    )
    return HttpResponse(
        review_calendar(owner.user),
        content_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=900"},
    )


# No CSRF token: mail providers post here for RFC 8058 one-click unsubscribe, and
# the signed token, not a cookie, is what authorises the change.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, unsubscribe_token: str) -> HttpResponse:
    try:
        user_id, kind = read_unsubscribe_token(unsubscribe_token)
    except signing.SignatureExpired:
        context = {"problem": "This unsubscribe link has expired."}
        return render(request, "reminders/unsubscribe.html", context, status=400)
    except signing.BadSignature:
        context = {"problem": "This unsubscribe link is not valid. Was it copied in full?"}
        return render(request, "reminders/unsubscribe.html", context, status=400)
    label = Delivery.Kind(kind).label.lower() if kind in Delivery.Kind.values else "reminder"
    context = {"label": label}
    if request.method == "POST":
        services.unsubscribe(user_id=user_id, kind=kind)
        context["done"] = True
    return render(request, "reminders/unsubscribe.html", context)
