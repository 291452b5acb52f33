import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "a quiet walk by the river"


def signup_data(**overrides):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "time_zone": "Europe/Berlin",
    }
    data.update(overrides)
    return data


def logged_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


class TestSignup:
    def test_form_renders(self, client):
        response = client.get(reverse("signup"))
        assert response.status_code == 200
        html = response.content.decode()
        for label in ("Username", "Email", "Password", "Password confirmation"):
            assert f">{label}</label>" in html
        assert '<button type="submit" class="button button-primary">Sign up</button>' in html
        assert 'name="time_zone"' in html
        assert "js/timezone.js" in html

    def test_signing_up_logs_in_and_lands_on_the_dashboard(self, client):
        response = client.post(reverse("signup"), signup_data())
        assert response.status_code == 302
        assert response.url == reverse("dashboard")
        user = User.objects.get(username="newcomer")
        assert logged_in_user_id(client) == str(user.pk)
        assert client.session["_auth_user_backend"] == "accounts.backends.UsernameOrEmailBackend"
        assert user.check_password(NEW_PASSWORD)
        assert user.profile.time_zone == "Europe/Berlin"
        dashboard = client.get(response.url)
        assert dashboard.status_code == 200
        assert b"Your account is ready." in dashboard.content

    def test_bad_time_zone_still_signs_up_on_utc(self, client):
        client.post(reverse("signup"), signup_data(time_zone="Nowhere/At_All"))
        assert Profile.objects.get(user__username="newcomer").time_zone == "UTC"

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"username": "ADA"}, "That username is taken."),
            ({"email": "Ada@Example.com"}, "An account with this email address already exists."),
            ({"password1": "abc", "password2": "abc"}, "This password is too short."),
            ({"password2": "something else entirely"}, "The two password fields didn’t match."),
            ({"username": "u" * 151}, "Ensure this value has at most 150 characters"),
            ({"username": ""}, "This field is required."),
            ({"username": "bad user!"}, "Use only letters, digits and . + - _ in a username."),
            ({"email": ""}, "This field is required."),
        ],
    )
    def test_bad_input_comes_back_with_the_message(self, client, learner, overrides, message):
        response = client.post(reverse("signup"), signup_data(**overrides))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert User.objects.count() == 1  # only the learner who was there already
        assert logged_in_user_id(client) is None

    def test_empty_post_shows_every_missing_field(self, client):
        response = client.post(reverse("signup"), {})
        assert response.status_code == 200
        assert response.content.decode().count("This field is required.") == 4

    def test_logged_in_learner_is_sent_to_the_dashboard(self, learner_client):
        response = learner_client.get(reverse("signup"))
        assert response.status_code == 302
        assert response.url == reverse("dashboard")

    def test_other_methods_are_refused(self, client):
        assert client.put(reverse("signup")).status_code == 405


class TestLogin:
    def test_form_renders_with_labels_and_button(self, client):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        html = response.content.decode()
        assert ">Username</label>" in html
        assert ">Password</label>" in html
        assert "Log in</button>" in html

    @pytest.mark.parametrize("typed", ["ada", "ADA", "ada@example.com", "Ada@Example.COM"])
    def test_logs_in_with_username_or_email_in_any_case(self, client, learner, typed):
        response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
        assert response.status_code == 302
        assert response.url == reverse("dashboard")
        assert logged_in_user_id(client) == str(learner.pk)

    def test_wrong_password_comes_back_with_a_message(self, client, learner):
        response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
        assert response.status_code == 200
        assert b"do not match an account" in response.content
        assert logged_in_user_id(client) is None

    def test_missing_fields(self, client):
        response = client.post(reverse("login"), {})
        assert response.status_code == 200
        assert response.content.decode().count("This field is required.") == 2

    def test_over_long_username(self, client):
        response = client.post(reverse("login"), {"username": "a" * 300, "password": "x"})
        assert response.status_code == 200
        assert b"at most 254 characters" in response.content

    def test_next_on_this_site_is_honoured(self, client, learner):
        response = client.post(
            reverse("login") + "?next=/accounts/profile/",
            {"username": "ada", "password": PASSWORD, "next": "/accounts/profile/"},
        )
        assert response.status_code == 302
        assert response.url == "/accounts/profile/"

    @pytest.mark.parametrize(
        "target", ["https://evil.example", "//evil.example/x", "https://evil.example/accounts/"]
    )
    def test_next_off_site_is_ignored(self, client, learner, target):
        response = client.post(
            reverse("login") + f"?next={target}",
            {"username": "ada", "password": PASSWORD, "next": target},
        )
        assert response.status_code == 302
        assert response.url == reverse("dashboard")

    def test_next_is_carried_in_the_form(self, client):
        response = client.get(reverse("login") + "?next=/accounts/profile/")
        assert b'name="next" value="/accounts/profile/"' in response.content

    def test_logged_in_learner_is_sent_on(self, learner_client):
        response = learner_client.get(reverse("login"))
        assert response.status_code == 302
        assert response.url == reverse("dashboard")


class TestNavigation:
    def test_anonymous_sees_log_in_and_sign_up(self, client):
        html = client.get(reverse("login")).content.decode()
        assert f'href="{reverse("login")}">Log in</a>' in html
        assert f'href="{reverse("signup")}" class="button">Sign up</a>' in html
        assert "Log out" not in html

    def test_logged_in_sees_username_and_log_out(self, learner_client):
        html = learner_client.get(reverse("dashboard")).content.decode()
        assert (
            '<span class="visually-hidden">Profile: </span><span class="nav-name">ada</span>'
            in html
        )
        # The header's, and the phone menu's (only one of the two shows at any width).
        assert html.count(">Log out</button>") == 2
        # The profile page has one more, for phones, where the header's is hidden.
        profile = learner_client.get(reverse("profile")).content.decode()
        assert profile.count(">Log out</button>") == 3
        assert ">Sign up</a>" not in html


class TestLogout:
    def test_get_is_refused(self, learner_client):
        assert learner_client.get(reverse("logout")).status_code == 405
        assert logged_in_user_id(learner_client) is not None

    def test_post_logs_out_and_goes_home(self, learner_client):
        response = learner_client.post(reverse("logout"))
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert logged_in_user_id(learner_client) is None

    def test_anonymous_post_just_goes_home(self, client):
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert response.url == reverse("home")

    def test_anonymous_get_is_refused_too(self, client):
        assert client.get(reverse("logout")).status_code == 405


PROTECTED = ["profile", "export_data", "delete_account", "password_change", "password_change_done"]
PUBLIC = ["signup", "login", "password_reset", "password_reset_done", "password_reset_complete"]


class TestAccess:
    @pytest.mark.parametrize("name", PROTECTED)
    def test_anonymous_is_sent_to_log_in(self, client, name):
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"

    @pytest.mark.parametrize("name", PUBLIC)
    def test_public_pages_open_without_an_account(self, client, name):
        assert client.get(reverse(name)).status_code == 200

    @pytest.mark.parametrize("name", sorted(set(PROTECTED) - {"export_data"}))
    def test_private_pages_have_exactly_one_h1(self, learner_client, name):
        assert learner_client.get(reverse(name)).content.decode().count("<h1") == 1

    @pytest.mark.parametrize("name", PUBLIC)
    def test_public_pages_have_exactly_one_h1(self, client, name):
        assert client.get(reverse(name)).content.decode().count("<h1") == 1

    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("signup", signup_data()),
            ("login", {"username": "ada", "password": PASSWORD}),
            ("logout", {}),
            ("password_reset", {"email": "ada@example.com"}),
        ],
    )
    def test_public_posts_need_a_csrf_token(self, learner, name, data):
        client = Client(enforce_csrf_checks=True)
        assert client.post(reverse(name), data).status_code == 403

    @pytest.mark.parametrize("name", ["profile", "delete_account", "password_change"])
    def test_private_posts_need_a_csrf_token(self, learner, name):
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        assert client.post(reverse(name), {"password": PASSWORD}).status_code == 403
        assert User.objects.filter(pk=learner.pk).exists()


class TestPasswordChange:
    def test_changing_the_password(self, learner_client, learner):
        response = learner_client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("password_change_done")
        learner.refresh_from_db()
        assert learner.check_password(NEW_PASSWORD)
        # The session that changed it stays logged in.
        done = learner_client.get(response.url)
        assert done.status_code == 200
        assert b"Password changed" in done.content

    def test_wrong_old_password(self, learner_client, learner):
        response = learner_client.post(
            reverse("password_change"),
            {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        assert b"Your old password was entered incorrectly" in response.content
        learner.refresh_from_db()
        assert learner.check_password(PASSWORD)

    def test_weak_new_password(self, learner_client):
        response = learner_client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
        )
        assert response.status_code == 200
        assert b"This password is too short" in response.content

    def test_profile_links_to_it(self, learner_client):
        html = learner_client.get(reverse("profile")).content.decode()
        assert f'href="{reverse("password_change")}"' in html


class TestPasswordReset:
    def test_whole_flow_through_the_mail(self, client, learner):
        response = client.post(reverse("password_reset"), {"email": "ADA@example.com"})
        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["ada@example.com"]
        assert message.subject == "Reset your PrepSite password"
        assert "Hello ada," in message.body
        link = re.search(r"http://testserver(/accounts/reset/\S+/\S+/)", message.body).group(1)

        form_page = client.get(link, follow=True)
        assert form_page.status_code == 200
        assert b"Choose a new password" in form_page.content
        set_password_url = form_page.redirect_chain[-1][0]
        done = client.post(
            set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302
        assert done.url == reverse("password_reset_complete")
        assert b"Your new password is set" in client.get(done.url).content

        login = client.post(reverse("login"), {"username": "ada", "password": NEW_PASSWORD})
        assert login.status_code == 302
        assert logged_in_user_id(client) == str(learner.pk)

        # The link works once.
        again = client.get(link, follow=True)
        assert b"This link no longer works" in again.content

    def test_unknown_email_sends_nothing_but_looks_the_same(self, client, learner):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
        assert mail.outbox == []

    def test_bad_email_comes_back_with_the_message(self, client):
        response = client.post(reverse("password_reset"), {"email": "not an email"})
        assert response.status_code == 200
        assert b"Enter a valid email address." in response.content

    def test_bogus_link_says_it_no_longer_works(self, client, learner):
        response = client.get(
            reverse("password_reset_confirm", args=["Mg", "bad-token"]), follow=True
        )
        assert response.status_code == 200
        assert b"This link no longer works" in response.content
        assert response.content.decode().count("<h1") == 1

    def test_log_in_page_links_to_it(self, client):
        assert (
            f'href="{reverse("password_reset")}"'.encode() in client.get(reverse("login")).content
        )
