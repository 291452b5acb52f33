"""django-axes: five failed log-ins for one account from one address pause it for 15 minutes.

The address is the client's, read through TRUSTED_PROXY_COUNT proxies (prepsite.http.client_ip),
so that someone else's failures never lock a learner out from their own address.
"""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.backends import lockout_username
from accounts.tests.factories import PASSWORD
from prepsite.http import client_ip

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "Too many failed log-in attempts. Try again in 15 minutes."


PROXY = "10.0.0.2"
VICTIM = "198.51.100.20"
ATTACKER = "203.0.113.66"


def log_in(client, username, password, address="127.0.0.1", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def via_proxy(client, username, password, client_address, forged=""):
    """A log-in as the README's TLS proxy passes it on: the proxy appends the client."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return log_in(client, username, password, PROXY, HTTP_X_FORWARDED_FOR=forwarded)


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


class TestBehindAProxy:
    @pytest.fixture(autouse=True)
    def _one_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1

    def test_a_lock_from_another_address_leaves_the_victims_own_free(self, client, learner):
        for _ in range(5):
            via_proxy(client, "ADA", "guess", ATTACKER)
        assert via_proxy(client, "ada", PASSWORD, ATTACKER).status_code == 429
        response = via_proxy(client, "ada", PASSWORD, VICTIM)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(learner.pk)

    def test_a_forged_header_does_not_let_the_attacker_pose_as_the_victim(self, client, learner):
        for _ in range(5):
            via_proxy(client, "ada", "guess", ATTACKER, forged=VICTIM)
        assert AccessAttempt.objects.get().ip_address == ATTACKER
        assert via_proxy(client, "ada", PASSWORD, VICTIM).status_code == 302

    def test_a_forged_header_does_not_escape_the_lock(self, client, learner):
        for number in range(5):
            via_proxy(client, "ada", "guess", ATTACKER, forged=f"192.0.2.{number}")
        assert via_proxy(client, "ada", PASSWORD, ATTACKER, forged="192.0.2.99").status_code == 429


def test_without_a_trusted_proxy_a_forged_header_is_ignored(client, learner, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(5):
        log_in(client, "ada", "guess", ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    response = log_in(client, "ada", PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert response.status_code == 429
    assert log_in(client, "ada", PASSWORD, VICTIM).status_code == 302


class TestClientIp:
    @pytest.mark.parametrize(
        ("count", "forwarded", "expected"),
        [
            (0, "", "10.0.0.2"),
            (0, "192.0.2.1", "10.0.0.2"),
            (1, "192.0.2.1", "192.0.2.1"),
            (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
            (2, "6.6.6.6, 192.0.2.1, 10.0.0.9", "192.0.2.1"),
            (1, "2001:db8::1", "2001:db8::1"),
            (1, "", "10.0.0.2"),  # the proxy did not say: its own address, never a guess
            (2, "192.0.2.1", "10.0.0.2"),
            (1, "not an address", "10.0.0.2"),
        ],
    )
    def test_reads_the_address_the_outermost_trusted_proxy_saw(
        self, rf, settings, count, forwarded, expected
    ):
        settings.TRUSTED_PROXY_COUNT = count
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected


def test_tries_during_a_lockout_do_not_extend_it(client, learner):
    fail(client, 5)
    locked = AccessAttempt.objects.get()
    for password in ("guess", PASSWORD, "another guess"):
        assert log_in(client, "ada", password).status_code == 429
    still = AccessAttempt.objects.get()
    assert still.attempt_time == locked.attempt_time
    assert still.failures_since_start == 5


def test_a_completed_password_reset_lifts_the_lock(client, learner):
    fail(client, 5)
    fail(client, 5, address="192.0.2.50")
    client.post(reverse("password_reset"), {"email": "ada@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    new_password = "a brand new passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.url == reverse("password_reset_complete")
    assert not AccessAttempt.objects.exists()
    assert log_in(client, "ada", new_password).status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)


def test_a_reset_asked_for_but_not_completed_lifts_nothing(client, learner):
    fail(client, 5)
    client.post(reverse("password_reset"), {"email": "ada@example.com"})
    assert log_in(client, "ada", PASSWORD).status_code == 429


class TestWrongPasswordsWhileLoggedIn:
    """Changing the password or deleting the account asks for it: guesses count as failures."""

    def change(self, client, old):
        new = "a brand new passphrase"
        return client.post(
            reverse("password_change"),
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    def delete(self, client, password):
        return client.post(reverse("delete_account"), {"password": password})

    @pytest.mark.parametrize("attempt", ["change", "delete"])
    def test_five_wrong_passwords_lock_the_account(self, learner_client, learner, attempt):
        for _ in range(4):
            assert getattr(self, attempt)(learner_client, "guess").status_code == 200
        fifth = getattr(self, attempt)(learner_client, "guess")
        assert fifth.status_code == 429
        assert LOCKED_MESSAGE in fifth.content.decode()
        # Even the right password is refused now, and nothing was changed or deleted.
        assert getattr(self, attempt)(learner_client, PASSWORD).status_code == 429
        learner.refresh_from_db()
        assert learner.check_password(PASSWORD)
        attempt_row = AccessAttempt.objects.get()
        assert (attempt_row.username, attempt_row.failures_since_start) == ("ada", 5)
        assert "guess" not in attempt_row.post_data
        learner_client.post(reverse("logout"))
        assert log_in(learner_client, "ada", PASSWORD).status_code == 429

    def test_the_right_old_password_still_changes_it(self, learner_client, learner):
        self.change(learner_client, "guess")
        assert self.change(learner_client, PASSWORD).status_code == 302
        learner.refresh_from_db()
        assert learner.check_password("a brand new passphrase")
