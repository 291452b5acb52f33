"""The benchmark's floors: the cheapest responses the full middleware stack can give,
which every endpoint's throughput is compared with (README, Performance)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

User = get_user_model()


@login_not_required
def bench_floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_POST
def bench_write_floor(request: HttpRequest) -> HttpResponse:
    """The cheapest request that writes: a logged-in, CSRF-checked POST committing one row.

    The answer loop's throughput is compared with this as well as with the floor, since
    every grade pays for a session lookup, a transaction and a commit.
    """
    with transaction.atomic():
        User.objects.filter(pk=request.user.pk).update(last_login=F("last_login"))
    return HttpResponse(b"ok", content_type="text/plain")
