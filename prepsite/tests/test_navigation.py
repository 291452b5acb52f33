"""The header's links (prepsite.context_processors.navigation): reversed once per
process, yet right for whoever is logged in, the page they are on and the script prefix."""

import re

import pytest
from django.templatetags.static import static
from django.urls import reverse, set_script_prefix


def _header(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def _current(header: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', header)


@pytest.mark.django_db
def test_a_learner_reaches_every_page_and_sees_where_they_are(learner_client):
    header = _header(learner_client.get(reverse("library")))
    for name in ("dashboard", "practice_start", "library", "interview_start", "profile"):
        assert f'href="{reverse(name)}"' in header, name
    assert f'action="{reverse("logout")}"' in header
    assert reverse("admin:index") not in header
    assert _current(header) == [reverse("library")]
    assert _current(_header(learner_client.get(reverse("profile")))) == [reverse("profile")]


@pytest.mark.django_db
def test_an_editor_also_reaches_the_admin(editor_client):
    assert f'href="{reverse("admin:index")}"' in _header(editor_client.get(reverse("dashboard")))


@pytest.mark.django_db
def test_a_visitor_is_offered_log_in_and_sign_up(client):
    header = _header(client.get(reverse("library")))
    assert f'href="{reverse("login")}"' in header and f'href="{reverse("signup")}"' in header
    assert reverse("dashboard") not in header
    assert f'class="brand" href="{reverse("home")}"' in header


@pytest.mark.django_db
def test_a_missing_page_marks_no_link_current(learner_client):
    response = learner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert _current(_header(response)) == []


@pytest.mark.django_db
def test_links_follow_the_script_prefix_once_served_under_one(learner_client):
    learner_client.get(reverse("library"))  # the links without a prefix are cached first
    # As the WSGI handler does for a site served under /prep (the test client does not).
    set_script_prefix("/prep/")
    try:
        header = _header(learner_client.get("/questions/"))
    finally:
        set_script_prefix("/")
    assert 'href="/prep/questions/"' in header
    assert 'href="/questions/"' not in header


@pytest.mark.django_db
def test_every_page_links_its_stylesheets_and_scripts(client):
    html = client.get(reverse("library")).content.decode()
    for path in ("css/app.css", "css/code.css", "js/app.js", "img/favicon.svg"):
        assert f'"{static(path)}"' in html, path
    assert f'data-katex-js="{static("vendor/katex/katex.min.js")}"' in html
