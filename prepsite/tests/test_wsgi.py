"""The WSGI entry point a server's worker imports (prepsite.wsgi)."""

import os
import subprocess
import sys

from django.conf import settings

CHECK = """
import gc, sys
import prepsite.wsgi
print(gc.get_freeze_count(), "quizzes.views" in sys.modules)
"""


def test_start_up_is_frozen_for_the_garbage_collector_with_the_views_imported():
    # A process of its own: the test run's is set up already, and a freeze is for good.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prepsite.settings"}
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    frozen, views_imported = result.stdout.split()
    assert int(frozen) > 10_000
    assert views_imported == "True"
