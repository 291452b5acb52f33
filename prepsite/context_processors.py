"""What every page's frame (base.html) needs in its template context."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

# The header's destinations, by the name base.html uses for each.
NAV = {
    "home": "home",
    "dashboard": "dashboard",
    "practice": "practice_start",
    "library": "library",
    "interview": "interview_start",
    "editors": "admin:index",
    "profile": "profile",
    "logout": "logout",
    "login": "login",
    "signup": "signup",
}


@cache
def _nav_urls(script_prefix: str, urlconf: str) -> dict[str, str]:
    # Reversed once per process, prefix and URLconf: the header links each of these up
    # to three times, and `{% url %}` was the question page's costliest tag (issue #22).
    return {key: reverse(name, urlconf=urlconf) for key, name in NAV.items()}


def navigation(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    return {
        "nav": _nav_urls(get_script_prefix(), get_urlconf(settings.ROOT_URLCONF)),
        # For aria-current: the page's URL name, when it has one (not on a 404).
        "nav_current": match.url_name if match else None,
    }
