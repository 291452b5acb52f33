import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import services
from accounts.forms import DeleteAccountForm, LoginForm, ProfileForm, SignupForm

# The backend that checks passwords; axes' backend comes first but only guards.
PASSWORD_BACKEND = "accounts.backends.UsernameOrEmailBackend"


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.create_learner(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            time_zone=form.cleaned_data["time_zone"],
        )
        login(request, user, backend=PASSWORD_BACKEND)
        messages.success(request, "Your account is ready. Start a session whenever you like.")
        return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's log-in (public, and safe about ?next=) taking a username or an email."""

    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    current = services.get_profile(request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=current, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile has been saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_safe
@never_cache
def export_data(request: HttpRequest) -> HttpResponse:
    data = services.export_user_data(request.user)
    filename = f"prepsite-export-{request.user.get_username()}.json"
    return HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.delete_account(user=request.user)
            logout(request)
            messages.success(request, "Your account and all your data have been deleted.")
            return redirect("home")
        messages.error(request, "Your account was not deleted.")
    return render(request, "accounts/delete.html", {"form": form})
