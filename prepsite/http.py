from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def current_page(request: HttpRequest) -> str:
    """The page the learner is looking at, as a path on this site.

    For a GET it is the request itself. A form post or an htmx request is sent from a
    page; going back to it (after a log-in, or to reload) must not mean a GET of the
    POST-only address, which answers 405. htmx names its page in HX-Current-URL; a plain
    form in Referer. Anything from another host gives the home page.
    """
    htmx = getattr(request, "htmx", None)
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
