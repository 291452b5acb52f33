"""The project's own pages: home, health check, robots.txt and errors (the benchmark's
floors are bench/views.py)."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from prepsite.http import error_page
from quizzes.models import Difficulty, Question


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    # One question a visitor can try without an account: an easy one, the same for everyone.
    published = Question.objects.published().select_related("topic")
    sample = published.filter(difficulty=Difficulty.EASY).first() or published.first()
    key_points = list(sample.key_points.all()) if sample else []
    return render(request, "home.html", {"sample": sample, "key_points": key_points})


# Personal and practice pages are behind a log-in anyway; saying so saves crawlers the trip.
ROBOTS_DISALLOW = ("/accounts/", "/admin/", "/dashboard/", "/practice/", "/reminders/")


@login_not_required
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines += ["", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "reason": f"database unavailable: {exc.__class__.__name__}"},
            status=503,
        )
    return JsonResponse({"status": "ok"})


@login_not_required
def bad_request(request: HttpRequest, exception) -> HttpResponse:
    """handler400: a body Django cannot read (a charset other than UTF-8, broken
    multipart data, too many fields) or another BadRequest/SuspiciousOperation."""
    message = (
        "PrepSite could not read what your browser sent. Reload the page and try again; "
        "forms must be sent as UTF-8."
    )
    return error_page(request, 400, message)


@login_not_required
def permission_denied(request: HttpRequest, exception) -> HttpResponse:
    """handler403, for the editors' pages (the admin) as for the rest of the site."""
    return error_page(request, 403, "Your account may not see this page.")


@login_not_required
def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    return error_page(request, 404, "There is nothing here, or it belongs to someone else.")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the styled page, rendered without the request's context, since
    whatever failed (the database, the session) may fail again while rendering it."""
    return HttpResponseServerError(loader.render_to_string("500.html"))


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing CSRF token: say what to do, not Django's developer page."""
    message = "The page was open for too long or in another tab. Reload it and try again."
    return error_page(request, 403, message, template="403_csrf.html")
