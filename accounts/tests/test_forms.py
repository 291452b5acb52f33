import datetime
from unittest import mock

import pytest
from django.utils import timezone

from accounts.forms import (
    EMAIL_TAKEN,
    USERNAME_TAKEN,
    USERNAME_WITH_AT,
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    SignupForm,
)
from accounts.services import get_profile
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a quiet walk by the river"


def signup_data(**overrides):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data


def profile_data(**overrides):
    data = {
        "display_name": "Ada L.",
        "email": "ada@example.com",
        "time_zone": "Europe/London",
        "interview_date": "",
        "daily_goal": "20",
    }
    data.update(overrides)
    return data


class TestSignupForm:
    def test_valid_data_is_accepted_and_time_zone_defaults_to_utc(self):
        form = SignupForm(signup_data())
        assert form.is_valid(), form.errors
        assert form.cleaned_data["time_zone"] == "UTC"

    def test_labels(self):
        form = SignupForm()
        labels = {name: field.label for name, field in form.fields.items()}
        assert labels["username"] == "Username"
        assert labels["email"] == "Email"
        assert labels["password1"] == "Password"
        assert labels["password2"] == "Password confirmation"

    @pytest.mark.parametrize("taken", ["ada", "ADA", "Ada"])
    def test_username_is_unique_in_any_case(self, learner, taken):
        form = SignupForm(signup_data(username=taken))
        assert not form.is_valid()
        assert form.errors["username"] == [USERNAME_TAKEN]

    @pytest.mark.parametrize("taken", ["ada@example.com", "ADA@Example.COM"])
    def test_email_is_unique_in_any_case(self, learner, taken):
        form = SignupForm(signup_data(email=taken))
        assert not form.is_valid()
        assert form.errors["email"] == [EMAIL_TAKEN]

    def test_username_cannot_look_like_an_email(self):
        # The log-in form treats anything with @ as an email address.
        form = SignupForm(signup_data(username="me@home"))
        assert not form.is_valid()
        assert form.errors["username"] == [USERNAME_WITH_AT]

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short1", "This password is too short"),
            ("password123", "This password is too common"),
            ("8305619274", "This password is entirely numeric"),
            ("newcomer-newcomer", "The password is too similar to the"),
        ],
    )
    def test_password_validators_apply(self, password, message):
        form = SignupForm(signup_data(password1=password, password2=password))
        assert not form.is_valid()
        assert message in " ".join(form.errors["password2"])

    def test_passwords_must_match(self):
        form = SignupForm(signup_data(password2=GOOD_PASSWORD + "!"))
        assert not form.is_valid()
        assert form.errors["password2"] == ["The two password fields didn’t match."]

    def test_over_long_username_is_refused(self):
        form = SignupForm(signup_data(username="a" * 151))
        assert not form.is_valid()
        assert "at most 150 characters" in form.errors["username"][0]

    def test_missing_fields_are_reported(self):
        form = SignupForm({})
        assert not form.is_valid()
        assert set(form.errors) == {"username", "email", "password1", "password2"}

    def test_invalid_email_is_refused(self):
        form = SignupForm(signup_data(email="not-an-email"))
        assert not form.is_valid()
        assert form.errors["email"] == ["Enter a valid email address."]

    def test_known_time_zone_from_the_browser_is_kept(self):
        form = SignupForm(signup_data(time_zone="America/New_York"))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["time_zone"] == "America/New_York"

    @pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "<script>", "x" * 64])
    def test_unknown_time_zone_falls_back_to_utc(self, value):
        form = SignupForm(signup_data(time_zone=value))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["time_zone"] == "UTC"


class TestLoginForm:
    def test_username_field_is_labelled_username_and_fits_an_email(self):
        form = LoginForm()
        assert form.fields["username"].label == "Username"
        assert "email" in form.fields["username"].help_text
        assert form.fields["username"].max_length == 254

    def test_logs_in_with_email(self, rf, learner):
        request = rf.post("/accounts/login/")
        form = LoginForm(request, data={"username": "ADA@example.com", "password": PASSWORD})
        assert form.is_valid(), form.errors
        assert form.get_user() == learner

    def test_wrong_password_says_so_plainly(self, rf, learner):
        request = rf.post("/accounts/login/")
        form = LoginForm(request, data={"username": "ada", "password": "wrong"})
        assert not form.is_valid()
        assert form.non_field_errors() == [
            "That username or email and password do not match an account."
        ]


class TestProfileForm:
    def form(self, user, **overrides):
        return ProfileForm(profile_data(**overrides), instance=get_profile(user), user=user)

    def test_valid_data(self, learner):
        soon = datetime.date.today() + datetime.timedelta(days=30)
        form = self.form(learner, interview_date=soon.isoformat())
        assert form.is_valid(), form.errors
        assert form.cleaned_data["interview_date"] == soon
        assert form.cleaned_data["daily_goal"] == 20

    def test_time_zone_choices_are_sorted_and_complete(self, learner):
        choices = [value for value, _ in ProfileForm(user=learner).fields["time_zone"].choices]
        assert choices == sorted(choices)
        assert "UTC" in choices
        assert "Europe/London" in choices

    def test_unknown_time_zone_is_refused(self, learner):
        form = self.form(learner, time_zone="Mars/Olympus_Mons")
        assert not form.is_valid()
        assert "Select a valid choice" in form.errors["time_zone"][0]

    @pytest.mark.parametrize("goal", ["0", "501", "-3", "ten"])
    def test_daily_goal_must_be_between_1_and_500(self, learner, goal):
        form = self.form(learner, daily_goal=goal)
        assert not form.is_valid()
        assert "daily_goal" in form.errors

    @pytest.mark.parametrize("goal", ["1", "500"])
    def test_daily_goal_bounds_are_allowed(self, learner, goal):
        assert self.form(learner, daily_goal=goal).is_valid()

    def test_display_name_is_at_most_80_characters(self, learner):
        form = self.form(learner, display_name="x" * 81)
        assert not form.is_valid()
        assert "at most 80 characters" in form.errors["display_name"][0]

    def test_interview_date_in_the_past_is_refused(self, learner):
        yesterday = timezone.localdate() - datetime.timedelta(days=2)
        form = self.form(learner, interview_date=yesterday.isoformat())
        assert not form.is_valid()
        assert form.errors["interview_date"] == ["The interview date cannot be in the past."]

    def test_past_is_judged_in_the_learners_time_zone(self, learner):
        # 05:00 UTC on 10 January is still 9 January in California.
        now = datetime.datetime(2030, 1, 10, 5, 0, tzinfo=datetime.UTC)
        with mock.patch("accounts.forms.timezone.now", return_value=now):
            in_california = self.form(
                learner, time_zone="America/Los_Angeles", interview_date="2030-01-09"
            )
            in_london = self.form(learner, time_zone="Europe/London", interview_date="2030-01-09")
            assert in_california.is_valid(), in_california.errors
            assert not in_london.is_valid()

    def test_email_taken_by_someone_else_in_any_case_is_refused(self, learner, other_learner):
        form = self.form(learner, email="GRACE@example.com")
        assert not form.is_valid()
        assert form.errors["email"] == [EMAIL_TAKEN]

    def test_own_email_in_another_case_is_fine(self, learner):
        assert self.form(learner, email="Ada@Example.com").is_valid()

    def test_email_is_required(self, learner):
        form = self.form(learner, email="")
        assert not form.is_valid()
        assert form.errors["email"] == ["This field is required."]


class TestDeleteAccountForm:
    def test_right_password(self, rf, learner):
        form = DeleteAccountForm({"password": PASSWORD}, user=learner, request=rf.post("/"))
        assert form.is_valid()
        assert form.fields["password"].label == "Password"

    def test_wrong_password(self, rf, learner):
        form = DeleteAccountForm({"password": "guess"}, user=learner, request=rf.post("/"))
        assert not form.is_valid()
        assert form.errors["password"] == ["That password is not right."]

    def test_missing_password(self, rf, learner):
        form = DeleteAccountForm({}, user=learner, request=rf.post("/"))
        assert not form.is_valid()
        assert form.errors["password"] == ["This field is required."]
