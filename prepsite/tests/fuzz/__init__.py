"""Junk into every form and htmx endpoint, found by walking the URLconf: never a 500.

The routes come from the URLconf (admin left out) and the field names from the forms the pages
really render, so new forms are fuzzed without editing these files. Generated requests mix wrong
types, empty and huge strings (up to 100,000 characters), odd Unicode (NUL, RTL marks, emoji),
missing fields, lists where one value is expected, the learner's own ids and positions,
another learner's, random UUIDs and huge numbers, htmx and plain requests, and missing or stale
CSRF tokens. Every response must be below 500, and a 4xx must say something.

About 1,200 examples a run, derandomised under CI; no example database is written.
world.py is what the requests land in, strategies.py what they carry; the tests are
test_routes.py (forms, query strings, CSRF tokens) and test_bodies.py (content types, charsets).
"""
