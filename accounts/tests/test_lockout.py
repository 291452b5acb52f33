"""django-axes: five failed log-ins for one account from one address pause it for 15 minutes."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from accounts.services import lockout_username
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "Too many failed log-in attempts. Try again in 15 minutes."


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, times, username="ada", address="127.0.0.1"):
    for _ in range(times):
        response = log_in(client, username, "not the password", address)
        assert response.status_code in (200, 429)
    return response


def test_settings_are_as_documented():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_axes_migrations_are_applied():
    # The table exists and no model change is waiting for a migration.
    assert AccessAttempt.objects.count() == 0
    call_command("makemigrations", "axes", "--check", "--dry-run", verbosity=0)


def test_four_failures_still_let_the_right_password_in(client, learner):
    fail(client, 4)
    response = log_in(client, "ada", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)


def test_five_failures_lock_out_even_the_right_password(client, learner):
    fifth = fail(client, 5)
    assert fifth.status_code == 429
    response = log_in(client, "ada", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_MESSAGE in html
    assert html.count("<h1") == 1
    assert SESSION_KEY not in client.session


def test_a_success_before_the_limit_resets_the_count(client, learner):
    fail(client, 4)
    assert log_in(client, "ada", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, 4)
    assert log_in(client, "ada", PASSWORD).status_code == 302


def test_another_username_from_the_same_address_is_not_locked(client, learner, other_learner):
    fail(client, 5)
    response = log_in(client, "grace", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(other_learner.pk)


def test_the_same_username_from_another_address_is_not_locked(client, learner):
    fail(client, 5, address="192.0.2.7")
    assert log_in(client, "ada", PASSWORD, address="192.0.2.8").status_code == 302


def test_case_and_email_variations_count_as_one_account(client, learner):
    for typed in ("ada", "ADA", "Ada", "ada@example.com", "ADA@EXAMPLE.COM"):
        log_in(client, typed, "not the password")
    assert log_in(client, "aDa", PASSWORD).status_code == 429
    assert log_in(client, "ada@Example.com", PASSWORD).status_code == 429


def test_the_locked_page_is_plain_html_for_a_browser(client, learner):
    fail(client, 5)
    response = log_in(client, "ada", PASSWORD)
    assert response["Content-Type"].startswith("text/html")
    assert 'href="/accounts/password_reset/"' in response.content.decode()


class TestLockoutUsername:
    def test_lowercases(self, rf, learner):
        assert lockout_username(rf.post("/"), {"username": " Ada "}) == "ada"

    def test_maps_an_email_to_its_username(self, rf, learner):
        assert lockout_username(rf.post("/"), {"username": "ADA@example.com"}) == "ada"

    def test_unknown_email_counts_under_itself(self, rf, db):
        assert lockout_username(rf.post("/"), {"username": "No@One.org"}) == "no@one.org"

    def test_reads_the_form_when_no_credentials_are_given(self, rf, db):
        assert lockout_username(rf.post("/", {"username": "Grace"}), None) == "grace"

    def test_nothing_typed(self, rf, db):
        assert lockout_username(rf.post("/"), None) is None
