from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def practice_start(request: HttpRequest) -> HttpResponse:
    return render(request, "quizzes/practice_start.html")
