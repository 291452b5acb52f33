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
