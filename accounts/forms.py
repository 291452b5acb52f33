"""Every form of the accounts app: sign-up, log-in, profile, password and deletion."""

import datetime
import zoneinfo

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from accounts.models import Profile

User = get_user_model()

EMAIL_TAKEN = "An account with this email address already exists."
USERNAME_TAKEN = "That username is taken. Choose another."
INTERVIEW_HORIZON = datetime.timedelta(days=3 * 365)
USERNAME_WITH_AT = "Usernames cannot contain @. You can log in with your email address as well."


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def _email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    users = User._default_manager.filter(email__iexact=email)
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Only for resetting a forgotten password.",
    )
    # Filled by static/js/timezone.js from the browser; without JavaScript the
    # learner starts on UTC and can change it on their profile.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields[
            "username"
        ].help_text = "Up to 150 characters: letters, digits and . + - _ only."
        # Django's own message allows @, which clean_username refuses.
        self.fields["username"].error_messages["invalid"] = (
            "Use only letters, digits and . + - _ in a username."
        )

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and "@" in username:
            raise ValidationError(USERNAME_WITH_AT, code="invalid")
        if username and User._default_manager.filter(username__iexact=username).exists():
            raise ValidationError(USERNAME_TAKEN, code="unique")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if _email_taken(email):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email

    def clean_time_zone(self) -> str:
        """The browser's guess when it is a zone we know; UTC otherwise.

        The field is hidden, so an error on it could not be fixed by the learner.
        """
        value = self.cleaned_data.get("time_zone", "")
        return value if value in zoneinfo.available_timezones() else "UTC"


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username or email and password do not match an account.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = "Username"
        username.help_text = "Your username or email address."
        # Long enough for an email address, not just a username. Django sets
        # max_length after the field is built, which adds no validator: add it,
        # so an over-long name is refused before django-axes tries to store it.
        username.max_length = 254
        username.validators.append(MaxLengthValidator(254))
        username.widget.attrs["maxlength"] = 254
        username.widget.attrs["autocomplete"] = "username"


class ProfileForm(forms.ModelForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Your days, streaks and due counts follow this time zone.",
    )

    class Meta:
        model = Profile
        fields = ("display_name", "email", "time_zone", "interview_date", "daily_goal")
        labels = {
            "display_name": "Display name",
            "interview_date": "Interview date",
            "daily_goal": "Daily goal",
        }
        help_texts = {
            "display_name": "Optional. Your dashboard greets you by it instead of your username.",
            "interview_date": "Optional. The dashboard shows how ready you are for it.",
            "daily_goal": "Questions a day, from 1 to 500.",
        }
        goal_range = "Choose a daily goal from 1 to 500 questions."
        error_messages = {
            "daily_goal": {
                "required": goal_range,
                "invalid": goal_range,
                "min_value": goal_range,
                "max_value": goal_range,
            },
        }
        widgets = {
            "interview_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "daily_goal": forms.NumberInput(attrs={"min": 1, "max": 500}),
        }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = user.email

    def clean_email(self):
        email = self.cleaned_data["email"]
        if _email_taken(email, exclude_pk=self.user.pk):
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email

    def clean_interview_date(self):
        interview_date = self.cleaned_data.get("interview_date")
        if interview_date is None:
            return None
        zone_name = self.cleaned_data.get("time_zone") or self.instance.time_zone
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone_name)).date()
        if interview_date < today:
            raise ValidationError("The interview date cannot be in the past.", code="past")
        if interview_date > today + INTERVIEW_HORIZON:
            # Readiness and the reviews a day mean nothing for a date years away (or a typo).
            raise ValidationError("Choose an interview date in the next three years.", code="far")
        return interview_date


def password_is_right(request, user, password: str) -> bool:
    """Check the learner's password as a log-in does, so that a wrong one counts as a
    failed log-in for django-axes and a locked-out account is refused (its middleware
    answers with the locked-out page)."""
    checked = authenticate(request, username=user.get_username(), password=password)
    return checked is not None and checked.pk == user.pk


class CheckedPasswordChangeForm(PasswordChangeForm):
    """Django's, with the old password checked as a log-in (see password_is_right)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_is_right(self.request, self.user, old_password):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your current password, to confirm it is you.",
    )

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_is_right(self.request, self.user, password):
            raise ValidationError("That password is not right.", code="wrong_password")
        return password
