"""Rate limits on what costs someone else something: emails, accounts, editors' time.

django-ratelimit counts in the default cache, which REDIS_URL shares between every worker
and server; without it each process counts for itself (fine for one development server).
Wrong passwords are not counted here: django-axes counts them as failed log-ins.
"""

from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited

from prepsite.http import HtmxHttpRequest, error_page

PASSWORD_RESETS_PER_EMAIL = "5/h"
PASSWORD_RESETS_PER_CLIENT = "20/h"
SIGNUPS_PER_CLIENT = "10/h"
REPORTS_PER_LEARNER = "10/h"


def over_limit(request: HttpRequest, *, group: str, key: str, rate: str) -> bool:
    """Count one more request for `key` in `group`: True once it is more than `rate` allows."""
    return is_ratelimited(
        request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
    )


def too_many_requests(request: HtmxHttpRequest, message: str) -> HttpResponse:
    """The 429 page (or, for htmx, a fragment) saying what was refused and when to retry."""
    return error_page(request, 429, message)
