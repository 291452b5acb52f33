"""The floor views' routes, under /bench/; prepsite/urls.py includes them only when
PREPSITE_BENCH_ROUTES is on (and `check --deploy` refuses that: prepsite.E001)."""

from django.urls import path

from bench import views

urlpatterns = [
    # The cheapest response the full middleware stack can give.
    path("floor", views.bench_floor, name="bench_floor"),
    # And the cheapest request that writes (logged in, one row committed).
    path("write-floor", views.bench_write_floor, name="bench_write_floor"),
]
