"""The benchmark as a Django app: `make_bench_data`, and the floor views `make bench`
measures everything against (routed only with PREPSITE_BENCH_ROUTES on: bench/urls.py)."""

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "Benchmark"
