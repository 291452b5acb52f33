"""Request bodies in unusual content types and charsets (UTF-16 and Latin-1 forms, JSON, XML,
broken multipart, bytes that are not UTF-8): a 400 page, never a 500."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prepsite.tests.fuzz.strategies import (
    FUZZ,
    HTMX,
    check,
    requests_for,
)
from prepsite.tests.fuzz.world import World

pytestmark = pytest.mark.django_db


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=UTF-16LE",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/x-www-form-urlencoded; charset=",
    'application/x-www-form-urlencoded; charset="utf-8"',
    "APPLICATION/X-WWW-FORM-URLENCODED;;; charset",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data; boundary=XyZ; charset=utf-16",
    "multipart/form-data; boundary=XyZ; charset=no-such-charset",
    "application/json",
    "application/json; charset=utf-32",
    "application/xml",
    "text/plain; charset=utf-7",
    "application/octet-stream",
    "",
]
CODECS = ["utf-8", "utf-16", "utf-16-be", "latin-1", "cp1252", "utf-32"]


@st.composite
def unusual_bodies(draw, world: World):
    """A form body, a multipart body or raw bytes, encoded in some charset or in none."""
    endpoint, url, data = draw(requests_for(world))
    flat = {
        name: (value[0] if value else "") if isinstance(value, list) else value
        for name, value in data.items()
    }
    text = "&".join(f"{name}={value[:200]}" for name, value in flat.items())
    kind = draw(st.sampled_from(["form", "multipart", "bytes"]))
    if kind == "form":
        body = text.encode(draw(st.sampled_from(CODECS)), "replace")
    elif kind == "multipart":
        parts = [
            f'--XyZ\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value[:200]}\r\n'
            for name, value in flat.items()
        ]
        body = ("".join(parts) + "--XyZ--\r\n").encode(draw(st.sampled_from(CODECS)), "replace")
        if draw(st.booleans()):
            body = body[: draw(st.integers(0, len(body)))]  # cut short
    else:
        body = draw(st.binary(max_size=400))
    return endpoint, url, body


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_unusual_content_types_and_charsets(world, clients, data):
    """Bodies Django cannot or should not decode get a 400 page (or a fragment), never a 500."""
    endpoint, url, body = data.draw(unusual_bodies(world))
    content_type = data.draw(st.sampled_from(CONTENT_TYPES))
    anonymous = data.draw(st.booleans())
    client = clients.anonymous() if anonymous else clients.learner_client()
    htmx = data.draw(st.booleans())
    # generic() sends the bytes as they are; post() would re-encode them for the charset.
    response = client.generic(
        "POST", url, body, content_type=content_type, **(HTMX if htmx else {})
    )
    check(response, f"POST {url} {content_type!r} {body!r:.300}")
    if response.status_code == 400 and not htmx:
        assert "/static/css/app.css" in response.content.decode(), "a 400 without the site's style"
