"""The project's deployment checks (manage.py check --deploy)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def bench_routes_are_off(app_configs, **kwargs):
    """The benchmark's floor views take no throttle and one writes: never in production."""
    if settings.BENCH_ROUTES:
        return [
            Error(
                "PREPSITE_BENCH_ROUTES is on: the benchmark's floor views are routed.",
                hint="Unset PREPSITE_BENCH_ROUTES; only `make bench` sets it.",
                id="prepsite.E001",
            )
        ]
    return []
