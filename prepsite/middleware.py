"""The project's middleware: log-ins that return to the page, 405 pages, Permissions-Policy."""

from django.contrib import messages
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from prepsite.http import HtmxHttpRequest, current_page, error_page


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, sending the learner back to the page they were on once logged in.

    A log-in that expires while a page is open shows on its next form post or htmx
    request. Django would make the POST-only address the `next` page (a 405 after
    logging in), and htmx would swap the whole log-in page into the card; here the
    `next` page is the one the request came from, and htmx loads the log-in page itself.
    """

    def handle_no_permission(self, request: HtmxHttpRequest, view_func):
        if request.method not in ("GET", "HEAD") or request.htmx:
            messages.info(request, "Your log-in has expired. Log in again to carry on.")
        response = redirect_to_login(
            current_page(request),
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        if request.htmx:
            return HttpResponseClientRedirect(response.url)
        return response


class MethodNotAllowedPageMiddleware:
    """Give Django's 405 (require_POST and friends answer with no body) a message.

    Placed after HtmxMiddleware, so an htmx request gets a fragment it can swap in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HtmxHttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        message = f"This address does not accept a {request.method} request."
        page = error_page(request, 405, message)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page


class PermissionsPolicyMiddleware:
    """Send Permissions-Policy: PrepSite uses no sensor, camera, microphone, location,
    payment or USB device, so no page of it (nor anything injected into one) may ask."""

    POLICY = ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer",
            "camera",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "payment",
            "usb",
        )
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response
