from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup.html")


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")


def export_data(request: HttpRequest) -> HttpResponse:
    return HttpResponse("{}", content_type="application/json")


def delete_account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/delete.html")
