"""Every error is a page in the site's style (or, for htmx, a fragment it can swap in)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

from prepsite import urls as site_urls
from quizzes import services
from quizzes.models import Mode
from quizzes.tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/practice/"}
STYLESHEET = "/static/css/app.css"


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


# A URLconf with the site's routes and handlers plus two views that fail on purpose.
urlpatterns = [*site_urls.urlpatterns, path("boom/", boom), path("forbidden/", forbidden)]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def assert_styled_page(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert STYLESHEET in html
    assert html.count("<h1") == 1
    assert f"<h1>{heading}</h1>" in html


def assert_fragment(response, status):
    html = response.content.decode()
    assert response.status_code == status
    assert 'role="alert"' in html
    assert "<html" not in html


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=latin-1",
    ],
)
def test_a_form_in_another_charset_is_a_400_page_even_anonymously(client, content_type):
    # The test client encodes the body in the charset the content type names.
    body = "username=ada&password=x"
    response = client.post(reverse("login"), body, content_type=content_type)
    assert_styled_page(response, 400, "Could not read the request")
    assert "must be sent as UTF-8" in response.content.decode()


def test_a_form_in_another_charset_is_a_400_fragment_for_htmx(learner_client, learner):
    QuestionFactory()
    session = services.start_session(user=learner, mode=Mode.NEW, size=1).session
    response = learner_client.post(
        reverse("practice_reveal", args=[session.pk]),
        "position=0",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
        **HTMX,
    )
    assert_fragment(response, 400)


def test_an_editor_on_an_admin_page_they_may_not_see_gets_the_403_page(editor_client):
    response = editor_client.get("/admin/accounts/profile/")
    assert_styled_page(response, 403, "Not allowed")
    assert "may not see this page" in response.content.decode()


def test_permission_denied_anywhere_is_a_page_or_a_fragment(learner_client, settings):
    settings.ROOT_URLCONF = __name__
    assert_styled_page(learner_client.get("/forbidden/"), 403, "Not allowed")
    assert_fragment(learner_client.get("/forbidden/", **HTMX), 403)


def test_a_bug_is_the_styled_500_page(learner, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(learner)
    response = client.get("/boom/")
    assert_styled_page(response, 500, "Something went wrong")


def test_404_and_405_pages(learner_client):
    assert_styled_page(learner_client.get("/no/such/page/"), 404, "Not found")
    assert_styled_page(learner_client.get(reverse("logout")), 405, "Not allowed")


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/no/such/page/", "/healthz"])
def test_every_response_carries_a_permissions_policy(client, url):
    policy = client.get(url)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


class TestNoStore:
    @pytest.fixture
    def session(self, learner):
        QuestionFactory.create_batch(2)
        return services.start_session(user=learner, mode=Mode.NEW, size=2).session

    def assert_no_store(self, response):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]

    def test_session_pages_and_their_htmx_cards(self, learner_client, session):
        self.assert_no_store(learner_client.get(session.get_absolute_url()))
        reveal = reverse("practice_reveal", args=[session.pk])
        self.assert_no_store(learner_client.post(reveal, {"position": 0}, **HTMX))
        grade = reverse("practice_grade", args=[session.pk])
        self.assert_no_store(learner_client.post(grade, {"position": 0, "grade": 3}, **HTMX))

    def test_the_data_export_and_the_csv(self, learner_client):
        self.assert_no_store(learner_client.get(reverse("export_data")))
        self.assert_no_store(learner_client.get(reverse("session_history_csv")))
