from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.db.models import F
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from prepsite.http import current_page
from quizzes.models import Difficulty, Question

User = get_user_model()


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
def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    message = "There is nothing here, or it belongs to someone else."
    if getattr(request, "htmx", False):
        context = {"message": message, "page_url": current_page(request)}
        return render(request, "errors/fragment.html", context, status=404)
    return render(request, "404.html", status=404)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing CSRF token: say what to do, not Django's developer page."""
    message = "The page was open for too long or in another tab. Reload it and try again."
    template = "errors/fragment.html" if request.headers.get("HX-Request") else "403_csrf.html"
    context = {"message": message, "page_url": current_page(request)}
    return render(request, template, context, status=403)


@login_not_required
def bench_floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_POST
def bench_write_floor(request: HttpRequest) -> HttpResponse:
    """The cheapest request that writes: a logged-in, CSRF-checked POST committing one row.

    The answer loop's throughput is compared with this as well as with the floor, since
    every grade pays for a session lookup, a transaction and a commit.
    """
    with transaction.atomic():
        User.objects.filter(pk=request.user.pk).update(last_login=F("last_login"))
    return HttpResponse(b"ok", content_type="text/plain")
