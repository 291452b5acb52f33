from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    """Give Django's 405 (require_POST and friends answer with no body) a message.

    Placed after HtmxMiddleware, so an htmx request gets a fragment it can swap in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        message = f"This address does not accept a {request.method} request."
        template = "errors/fragment.html" if getattr(request, "htmx", False) else "405.html"
        page = render(request, template, {"message": message}, status=405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
