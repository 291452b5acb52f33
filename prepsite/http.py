"""Request helpers for every app: the typed htmx request, the current page, the client."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as our views see it: django-htmx's middleware sets `htmx` on every one.

    Annotate views with it (as django-htmx's own examples do) so that `request.htmx`
    is typed and nobody has to reach for getattr.
    """

    htmx: HtmxDetails


def current_page(request: HttpRequest) -> str:
    """The page the learner is looking at, as a path on this site.

    For a GET it is the request itself. A form post or an htmx request is sent from a
    page; going back to it (after a log-in, or to reload) must not mean a GET of the
    POST-only address, which answers 405. htmx names its page in HX-Current-URL; a plain
    form in Referer. Anything from another host gives the home page.
    """
    # Not request.htmx: the error pages ask too, and an error in an earlier middleware
    # means HtmxMiddleware never ran. HtmxDetails only reads the headers.
    htmx = HtmxDetails(request)
    if htmx:
        return htmx.current_url_abs_path or "/"
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the outermost of our trusted proxies saw it.

    Each of the TRUSTED_PROXY_COUNT proxies in front of PrepSite appends the address it was
    connected from to X-Forwarded-For, so the client is that many entries from the right;
    anything further left was written by the client and may be forged. With no trusted
    proxy (the default) the header is ignored and the socket's address is the client's.
    A header shorter than the proxy count, or not an address, is a misconfiguration: the
    socket's address is used then too. Django-axes (AXES_CLIENT_IP_CALLABLE) and the rate
    limits both key on this.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def error_page(
    request: HttpRequest, status: int, message: str, *, template: str | None = None
) -> HttpResponse:
    """The site's page for an error status (`template`, by default "<status>.html"), or for
    htmx a fragment it can swap in, saying `message` and offering to reload the page."""
    context = {"message": message, "page_url": current_page(request)}
    # HtmxMiddleware may not have run (an error in an earlier middleware): read the header.
    if request.headers.get("HX-Request"):
        template = "errors/fragment.html"
    return render(request, template or f"{status}.html", context, status=status)
