"""Usernames and emails are unique without regard to case, in the database itself."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.forms import EMAIL_TAKEN, USERNAME_TAKEN, SignupForm
from accounts.tests.factories import UserFactory
from accounts.tests.test_auth_views import signup_data
from accounts.views.auth import IDENTITY_TAKEN

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"username": "ada"}, {"username": "ADA"}),
        ({"email": "ada@example.com"}, {"email": "Ada@Example.COM"}),
    ],
)
def test_the_database_refuses_a_case_variant(first, second):
    UserFactory(**{"username": "first", "email": "first@example.com", **first})
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(**{"username": "second", "email": "x@example.com", **second})


def test_accounts_without_an_email_do_not_clash(db):
    User.objects.create_user(username="one", email="")
    User.objects.create_user(username="two", email="")
    assert User.objects.filter(email="").count() == 2


def test_create_learner_reports_the_clash(learner):
    with pytest.raises(services.IdentityTaken):
        services.create_learner(username="ADA", email="new@example.com", password="x")
    assert User.objects.count() == 1


def test_a_sign_up_that_loses_the_race_gets_the_form_back(client, learner, monkeypatch):
    # As if "ADA" had been free when the form looked, and "ada" signed up just after.
    monkeypatch.setattr(SignupForm, "clean_username", lambda form: form.cleaned_data["username"])
    response = client.post(reverse("signup"), signup_data(username="ADA"))
    assert response.status_code == 200
    assert IDENTITY_TAKEN in response.content.decode()
    assert 'name="username"' in response.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == ["ada"]


def test_a_profile_email_change_that_loses_the_race_gets_the_form_back(
    learner_client, learner, other_learner, monkeypatch
):
    monkeypatch.setattr("accounts.forms._email_taken", lambda email, exclude_pk=None: False)
    data = {"email": "GRACE@example.com", "time_zone": "UTC", "daily_goal": 10}
    response = learner_client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    learner.refresh_from_db()
    assert learner.email == "ada@example.com"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_case_variant_sign_ups_make_one_account():
    names = ["Racer", "racer", "RACER", "rAcer"]
    start = threading.Barrier(len(names))
    responses = {}

    def sign_up(name):
        client = Client(raise_request_exception=False)
        email = f"{name}@Example.com"
        data = signup_data(username=name, email=email)
        try:
            start.wait()
            responses[name] = client.post(reverse("signup"), data, REMOTE_ADDR="192.0.2.1")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [200, 200, 200, 302], statuses
    for response in responses.values():
        if response.status_code == 200:
            html = response.content.decode()
            # Refused by the database at the same time, or by the form's own checks when
            # the first account was already saved by then (on a busy machine).
            assert any(text in html for text in (IDENTITY_TAKEN, USERNAME_TAKEN, EMAIL_TAKEN))
    assert User.objects.filter(username__iexact="racer").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_reports_clashes_and_merges_nothing():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0002_login_session")]
    latest = [("accounts", "0003_case_insensitive_identities")]
    try:
        executor.migrate(before)
        OldUser = (
            MigrationExecutor(connection)
            .loader.project_state(before)
            .apps.get_model("auth", "User")
        )
        for username, email in [
            ("Ada", "ada@example.com"),
            ("ada", "ada2@example.com"),
            ("grace", "Grace@Example.com"),
            ("hopper", "grace@example.com"),
            ("one", ""),
            ("two", ""),
        ]:
            OldUser.objects.create(username=username, email=email, password="!")
        with pytest.raises(RuntimeError) as refused:
            MigrationExecutor(connection).migrate(latest)
        message = str(refused.value)
        assert "username 'ada': id " in message and "('Ada'), id " in message
        assert "email 'grace@example.com':" in message
        assert "'one'" not in message  # empty emails are no clash
        assert OldUser.objects.count() == 6  # nothing merged or deleted
        OldUser.objects.filter(username="ada").update(username="ada-two")
        OldUser.objects.filter(username="hopper").update(email="hopper@example.com")
        MigrationExecutor(connection).migrate(latest)
        assert User.objects.count() == 6
    finally:
        User.objects.all().delete()
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
