"""The WSGI entry point."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")

application = get_wsgi_application()


def _freeze_start_up() -> None:
    """Import every view now, then put what start-up made (Django, the apps, the URLconf and
    the modules it imports: some 120,000 objects that live as long as the process) out of
    the garbage collector's sight. Otherwise each full collection walks them all inside
    whatever request triggers it: 35-60 ms on the benchmark's machine (issue #22)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading the URLconf imports the views
    gc.freeze()


_freeze_start_up()
