"""Sign-up, log-in, password change and reset, profile, export and deletion."""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import services
from accounts.export import export_user_data
from accounts.forms import (
    EMAIL_TAKEN,
    CheckedPasswordChangeForm,
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    SignupForm,
)
from prepsite import ratelimits
from prepsite.http import client_ip

# The backend that checks passwords; axes' backend comes first but only guards.
PASSWORD_BACKEND = "accounts.backends.UsernameOrEmailBackend"

SIGNUPS_LIMITED = (
    "Too many accounts have been made from your network in the last hour. Try again later."
)
IDENTITY_TAKEN = "Someone has just signed up with that username or email address. Choose another."
# The same words whether or not an account has the address, so they reveal nothing.
RESETS_LIMITED = (
    "Too many password-reset emails have been asked for, for this address or from your "
    "network. Check your inbox (and spam folder) for the ones already sent, or try again "
    "in an hour."
)


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if ratelimits.over_limit(
            request, group="signup", key=client_ip(request), rate=ratelimits.SIGNUPS_PER_CLIENT
        ):
            return ratelimits.too_many_requests(request, SIGNUPS_LIMITED)
        try:
            user = services.create_learner(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except services.IdentityTaken:
            form.add_error(None, IDENTITY_TAKEN)
        else:
            login(request, user, backend=PASSWORD_BACKEND)
            messages.success(request, "Your account is ready. Start a session whenever you like.")
            return redirect("dashboard")
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's log-in (public, and safe about ?next=) taking a username or an email."""

    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's, where a wrong old password counts as a failed log-in."""

    form_class = CheckedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # Django gives the session a new key here (update_session_auth_hash): note it.
        response = super().form_valid(form)
        services.record_login_session(user=form.user, session_key=self.request.session.session_key)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, sending at most a few emails per address and per client an hour.

    Counted per typed address whether or not an account has it, and refused with the
    same page either way, so the limit reveals nothing about who has an account.
    """

    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        per_client = ratelimits.over_limit(
            self.request,
            group="password_reset_client",
            key=client_ip(self.request),
            rate=ratelimits.PASSWORD_RESETS_PER_CLIENT,
        )
        per_email = ratelimits.over_limit(
            self.request,
            group="password_reset_email",
            key=email,
            rate=ratelimits.PASSWORD_RESETS_PER_EMAIL,
        )
        if per_client or per_email:
            return ratelimits.too_many_requests(self.request, RESETS_LIMITED)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; the new password also ends a lock-out, which the reset proves is the
    owner's business to end."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.lift_lockout(user=form.user)
        return response


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    current = services.get_profile(request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=current, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(user=request.user, **form.cleaned_data)
        except IntegrityError:
            # Another account took the address (in some case) since the form checked it.
            form.add_error("email", EMAIL_TAKEN)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_safe
@never_cache
def export_data(request: HttpRequest) -> HttpResponse:
    data = export_user_data(request.user)
    filename = f"prepsite-export-{request.user.get_username()}.json"
    return HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, user=request.user, request=request
    )
    if request.method == "POST":
        if form.is_valid():
            services.delete_account(user=request.user)
            logout(request)
            messages.success(request, "Your account and all your data have been deleted.")
            return redirect("home")
        messages.error(request, "Your account was not deleted.")
    return render(request, "accounts/delete.html", {"form": form})
