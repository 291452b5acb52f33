"""Rate limits on password-reset emails, sign-ups and (in quizzes) reports: a 429 page each."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.tests.test_auth_views import signup_data
from accounts.views.auth import RESETS_LIMITED, SIGNUPS_LIMITED

pytestmark = pytest.mark.django_db

User = get_user_model()


def without_secrets(html: str) -> str:
    """The page less what differs on every response: the CSRF token and the CSP nonce."""
    return re.sub(r'("x-csrftoken": "|nonce=")[^"]*', r"\1", html)


def ask_reset(client, email, address="127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


class TestPasswordResetRequests:
    def test_at_most_five_emails_per_address_an_hour(self, client, learner):
        for number in range(5):
            # Different clients, any case: the address is what is counted.
            response = ask_reset(client, "ADA@example.com", address=f"192.0.2.{number}")
            assert response.status_code == 302
        refused = ask_reset(client, "ada@example.com", address="192.0.2.99")
        assert refused.status_code == 429
        assert RESETS_LIMITED in refused.content.decode()
        assert refused.content.decode().count("<h1") == 1
        assert len(mail.outbox) == 5

    def test_the_page_is_the_same_whether_or_not_the_account_exists(self, client, learner):
        pages = {}
        for email in ("ada@example.com", "nobody@example.com"):
            for _ in range(5):
                assert ask_reset(client, email, address="192.0.2.1").status_code == 302
            pages[email] = ask_reset(client, email, address="192.0.2.2")
        assert {page.status_code for page in pages.values()} == {429}
        known, unknown = (without_secrets(page.content.decode()) for page in pages.values())
        assert known == unknown

    def test_one_client_can_ask_for_twenty_an_hour_whatever_the_addresses(self, client, db):
        for number in range(20):
            assert ask_reset(client, f"someone{number}@example.com").status_code == 302
        assert ask_reset(client, "someone-else@example.com").status_code == 429
        # Another client is not held back by it.
        assert ask_reset(client, "someone-else@example.com", address="192.0.2.8").status_code == 302


class TestSignups:
    def test_ten_accounts_an_hour_per_client_address(self, client):
        for number in range(10):
            data = signup_data(username=f"new{number}", email=f"new{number}@example.com")
            assert client.post(reverse("signup"), data).status_code == 302
            client.post(reverse("logout"))
        refused = client.post(reverse("signup"), signup_data())
        assert refused.status_code == 429
        assert SIGNUPS_LIMITED in refused.content.decode()
        assert not User.objects.filter(username="newcomer").exists()
        other_address = client.post(reverse("signup"), signup_data(), REMOTE_ADDR="192.0.2.5")
        assert other_address.status_code == 302

    def test_a_form_with_mistakes_is_not_counted(self, client):
        for _ in range(12):
            assert client.post(reverse("signup"), signup_data(email="x")).status_code == 200
        assert client.post(reverse("signup"), signup_data()).status_code == 302
