"""What every page's frame (base.html) needs in its template context: the header's links
and the static files it loads, worked out once per process."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
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


# The files every page links, by the name base.html uses for each.
ASSETS = {
    "favicon": "img/favicon.svg",
    "app_css": "css/app.css",
    "code_css": "css/code.css",
    "app_js": "js/app.js",
    "katex_js": "vendor/katex/katex.min.js",
    "katex_css": "vendor/katex/katex.min.css",
}


@cache
def _asset_urls(script_prefix: str) -> dict[str, str]:
    # The static files' addresses (hashed in production) do not change while a process
    # runs: the storage reads its manifest once. `{% static %}` looked each up per page.
    return {key: static(path) for key, path in ASSETS.items()}


@cache
def _nav_urls(script_prefix: str, urlconf: str) -> dict[str, str]:
    # Reversed once per process, prefix and URLconf: the header links each of these up
    # to three times, and `{% url %}` was the question page's costliest tag (issue #22).
    return {key: reverse(name, urlconf=urlconf) for key, name in NAV.items()}


def navigation(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    return {
        "nav": _nav_urls(get_script_prefix(), get_urlconf(settings.ROOT_URLCONF)),
        "assets": _asset_urls(get_script_prefix()),
        # For aria-current: the page's URL name, when it has one (not on a 404).
        "nav_current": match.url_name if match else None,
    }
