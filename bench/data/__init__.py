"""The benchmark's data set: `manage.py make_bench_data` builds it (bench/data/generator.py)
and writes it with COPY (bench/data/writer.py).

The two constants below are read by bench.run, which does not set Django up: keep this
module free of Django imports.
"""

# Bump when the shape of the generated data changes, so `make bench` rebuilds it.
DATA_VERSION = 1
# Every generated learner has this password; it is hashed once per run.
PASSWORD = "bench-learner-password"
