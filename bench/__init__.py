"""The benchmark behind `make bench`: load on a production-like server, and in-process timings."""
