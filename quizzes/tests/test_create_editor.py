import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long and unusual passphrase"


def _create(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command("create_editor", *args, stdout=out, **kwargs)
    return out.getvalue()


def test_creates_a_staff_editor_from_the_environment(monkeypatch):
    monkeypatch.setenv("PREPSITE_EDITOR_PASSWORD", GOOD_PASSWORD)

    output = _create("marie", "--email", "marie@example.com")

    user = get_user_model().objects.get(username="marie")
    assert user.is_staff and not user.is_superuser
    assert user.email == "marie@example.com"
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.check_password(GOOD_PASSWORD)
    assert user.has_perm("quizzes.change_question")
    assert not user.has_perm("auth.change_user")
    assert "Created editor 'marie'" in output


def test_asks_twice_for_the_password(monkeypatch):
    monkeypatch.delenv("PREPSITE_EDITOR_PASSWORD", raising=False)
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    _create("marie")

    assert get_user_model().objects.get(username="marie").check_password(GOOD_PASSWORD)


def test_passwords_that_differ_are_refused(monkeypatch):
    monkeypatch.delenv("PREPSITE_EDITOR_PASSWORD", raising=False)
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="The two passwords differ"):
        _create("marie")
    assert not get_user_model().objects.filter(username="marie").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short"),
        ("password123", "This password is too common"),
        ("83749201847362", "This password is entirely numeric"),
        ("", "PREPSITE_EDITOR_PASSWORD is set but empty"),
    ],
)
def test_weak_passwords_are_refused(monkeypatch, password, message):
    monkeypatch.setenv("PREPSITE_EDITOR_PASSWORD", password)

    with pytest.raises(CommandError, match=message):
        _create("marie")
    assert not get_user_model().objects.filter(username="marie").exists()


def test_an_existing_user_is_reported_and_left_alone(monkeypatch):
    monkeypatch.setenv("PREPSITE_EDITOR_PASSWORD", GOOD_PASSWORD)
    existing = UserFactory(username="marie")

    with pytest.raises(CommandError, match="A user named 'Marie' already exists") as caught:
        _create("Marie")

    assert caught.value.returncode == 1
    existing.refresh_from_db()
    assert not existing.is_staff
    assert not existing.groups.exists()


def test_bad_email_and_taken_email_are_refused(monkeypatch):
    monkeypatch.setenv("PREPSITE_EDITOR_PASSWORD", GOOD_PASSWORD)
    UserFactory(username="ada", email="ada@example.com")

    with pytest.raises(CommandError, match="is not a valid email address"):
        _create("marie", "--email", "not-an-email")
    with pytest.raises(CommandError, match="Another user already has the email"):
        _create("marie", "--email", "ADA@example.com")
    assert not get_user_model().objects.filter(username="marie").exists()


def test_bad_username_is_refused(monkeypatch):
    monkeypatch.setenv("PREPSITE_EDITOR_PASSWORD", GOOD_PASSWORD)

    with pytest.raises(CommandError, match="Username 'no spaces please'"):
        _create("no spaces please")
