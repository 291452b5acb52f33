"""The site's addresses: each app's own urls.py, included under its prefix."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from prepsite import views
from quizzes.library.sitemaps import SITEMAPS

admin.site.site_header = "PrepSite editors"
admin.site.site_title = "PrepSite editors"
admin.site.index_title = "Question bank"

handler400 = "prepsite.views.bad_request"
handler403 = "prepsite.views.permission_denied"
handler404 = "prepsite.views.page_not_found"
handler500 = "prepsite.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        login_not_required(require_safe(sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("accounts/", include("accounts.urls")),
    path("reminders/", include("reminders.urls")),
    path("schedule/", include("planner.urls")),
    path("dashboard/", include("accounts.dashboard_urls")),
    path("questions/", include("quizzes.library.urls")),
    path("", include("quizzes.urls")),
    path("", include("interviews.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_ROUTES:
    # The benchmark's floor views (bench/urls.py): never routed in production (prepsite.E001).
    urlpatterns.append(path("bench/", include("bench.urls")))
