from django.http import HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.test import RequestFactory

from prepsite.middleware import MethodNotAllowedPageMiddleware


def test_a_wrong_method_gets_a_page_that_says_so(learner_client):
    response = learner_client.get("/accounts/logout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert "does not accept a GET request" in response.content.decode()
    assert "<h1>Not allowed</h1>" in response.content.decode()
    fragment = learner_client.get("/accounts/logout/", headers={"HX-Request": "true"})
    assert fragment.status_code == 405
    assert 'role="alert"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_a_405_without_allow_or_with_a_body_or_streamed_is_left_alone(learner):
    request = RequestFactory().get("/")
    request.user = learner
    request.htmx = False

    def handled(response):
        return MethodNotAllowedPageMiddleware(lambda request: response)(request)

    bare = handled(HttpResponse(status=405))
    assert "does not accept a GET request" in bare.content.decode()
    assert "Allow" not in bare
    assert handled(HttpResponseNotAllowed(["POST"], content=b"own words")).content == b"own words"
    streamed = StreamingHttpResponse(iter([b"x"]), status=405)
    assert handled(streamed) is streamed


SESSION_PAGE = "/practice/00000000-0000-0000-0000-000000000001/"


def test_an_expired_log_in_on_an_htmx_post_loads_the_log_in_page_and_returns_to_the_page(client):
    response = client.post(
        SESSION_PAGE + "reveal/",
        {"position": 0},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + SESSION_PAGE},
    )
    # Not a 302 that htmx would follow and swap into the card: htmx loads the page itself.
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=" + SESSION_PAGE
    login = client.get(response["HX-Redirect"])
    assert "Your log-in has expired. Log in again to carry on." in login.content.decode()


def test_an_expired_log_in_on_a_form_post_returns_to_the_form_s_page(client):
    response = client.post(
        SESSION_PAGE + "reveal/",
        {"position": 0},
        headers={"Referer": "http://testserver" + SESSION_PAGE},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + SESSION_PAGE
    foreign = client.post(SESSION_PAGE + "reveal/", headers={"Referer": "https://evil.example/x"})
    assert foreign["Location"] == "/accounts/login/?next=/"


def test_a_page_opened_logged_out_is_still_the_next_page(client):
    response = client.get("/dashboard/?page=2")
    assert response["Location"] == "/accounts/login/?next=/dashboard/%3Fpage%3D2"
    assert "expired" not in client.get(response["Location"]).content.decode()


def test_a_stale_form_token_on_htmx_offers_to_reload_the_page_not_the_post_address(learner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(
        SESSION_PAGE + "reveal/",
        {"position": 0},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + SESSION_PAGE},
    )
    assert response.status_code == 403
    assert f'<a href="{SESSION_PAGE}">Reload the page</a>' in response.content.decode()
