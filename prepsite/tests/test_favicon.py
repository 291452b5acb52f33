"""The site's icon: at /favicon.ico for pages that do not link it, and linked in the admin."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_favicon_ico_is_served_at_the_root(settings, client, debug):
    settings.DEBUG = debug  # whitenoise finds files on each request in development
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}


@pytest.mark.django_db
def test_admin_pages_link_the_icon(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html


@pytest.mark.django_db
def test_the_login_and_error_pages_link_the_icon(client):
    for url in (reverse("admin:login"), "/no-such-page/"):
        assert 'rel="icon"' in client.get(url).content.decode(), url
