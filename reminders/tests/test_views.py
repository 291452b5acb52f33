"""The email settings on the profile, one-click unsubscribe, and the calendar feed."""

import time
from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Profile
from reminders.models import ReminderSettings
from reminders.tests.factories import CardFactory, make_learner
from reminders.tokens import MAX_AGE, make_unsubscribe_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    return make_learner(username="ada", daily=False)


@pytest.fixture
def ada_client(ada):
    client = Client()
    client.force_login(ada)
    return client


def test_the_profile_shows_the_email_settings_and_calendar_address(ada_client, ada):
    page = ada_client.get(reverse("profile")).content.decode()

    assert "Email me when reviews are due" in page and "Weekly progress email" in page
    assert ada.reminder_settings.calendar_token in page
    assert 'action="/reminders/settings/"' in page


def test_saving_the_settings(ada_client, ada):
    response = ada_client.post(
        reverse("reminder_settings"), {"daily": "on", "hour": "7", "weekly": "on"}, follow=True
    )

    assert "Your email settings have been saved." in response.content.decode()
    found = ReminderSettings.objects.get(user=ada)
    assert (found.daily, found.hour, found.weekly) == (True, 7, True)


@pytest.mark.parametrize("hour", ["24", "-1", "seven", ""])
def test_a_bad_hour_gets_the_form_back_with_its_message(ada_client, ada, hour):
    response = ada_client.post(reverse("reminder_settings"), {"daily": "on", "hour": hour})

    assert response.status_code == 400
    assert "Reminder time" in response.content.decode()
    assert ReminderSettings.objects.get(user=ada).daily is False


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(reverse("reminder_settings"), {"daily": "on", "hour": "7"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_settings_need_a_csrf_token(ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)

    response = client.post(reverse("reminder_settings"), {"daily": "on", "hour": "7"})

    assert response.status_code == 403


def test_unsubscribe_asks_first_then_stops_that_kind_without_logging_in():
    learner = make_learner(daily=True, weekly=True)
    url = reverse("unsubscribe", args=[make_unsubscribe_token(user_id=learner.pk, kind="daily")])
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop PrepSite's daily reminder emails" in page.content.decode()
    assert ReminderSettings.objects.get(user=learner).daily is True

    done = client.post(url)  # as a mail provider's one-click button does: no cookie, no token

    assert done.status_code == 200 and "no more daily reminder emails" in done.content.decode()
    found = ReminderSettings.objects.get(user=learner)
    assert (found.daily, found.weekly) == (False, True)


def test_a_tampered_unsubscribe_link_is_refused():
    learner = make_learner(daily=True)
    victim = make_learner(daily=True)
    token = make_unsubscribe_token(user_id=learner.pk, kind="daily")
    # The victim's id with the learner's timestamp and signature.
    forged = make_unsubscribe_token(user_id=victim.pk, kind="daily").split(":")[0]
    url = reverse("unsubscribe", args=[f"{forged}:{token.split(':', 1)[1]}"])

    response = Client().post(url)

    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert ReminderSettings.objects.get(user=victim).daily is True


def test_an_expired_unsubscribe_link_is_refused_with_a_way_forward():
    learner = make_learner(daily=True)
    long_ago = time.time() - MAX_AGE.total_seconds() - 60
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        token = make_unsubscribe_token(user_id=learner.pk, kind="daily")

    response = Client().post(reverse("unsubscribe", args=[token]))

    assert response.status_code == 400
    page = response.content.decode()
    assert "expired" in page and reverse("profile") in page
    assert ReminderSettings.objects.get(user=learner).daily is True


def test_the_calendar_feed_lists_review_days_and_the_interview(ada):
    Profile.objects.filter(user=ada).update(
        time_zone="Europe/London", interview_date=date(2099, 1, 1)
    )
    CardFactory.create_batch(2, user=ada, due=datetime(2026, 1, 1, tzinfo=UTC))  # overdue
    CardFactory(user=ada, due=datetime.now(UTC).replace(microsecond=0) + (
        datetime(2026, 1, 4) - datetime(2026, 1, 1)
    ))  # fmt: skip
    someone_else = make_learner()
    CardFactory.create_batch(5, user=someone_else, due=datetime(2026, 1, 1, tzinfo=UTC))

    response = Client().get(reverse("calendar_feed", args=[ada.reminder_settings.calendar_token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    summaries = sorted(str(event["SUMMARY"]) for event in events)
    assert summaries == [
        "Interview day (PrepSite)",
        "PrepSite: 1 review due",
        "PrepSite: 2 reviews due",
    ]


def test_an_unknown_calendar_address_is_not_found(ada):
    response = Client().get(reverse("calendar_feed", args=["not-a-real-token"]))

    assert response.status_code == 404


def test_a_new_calendar_address_revokes_the_old_one(ada_client, ada):
    old = ada.reminder_settings.calendar_token

    ada_client.post(reverse("new_calendar_link"))

    new = ReminderSettings.objects.get(user=ada).calendar_token
    assert new != old
    assert ada_client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert ada_client.get(reverse("calendar_feed", args=[new])).status_code == 200


def test_deleting_the_account_deletes_its_reminder_records(ada_client, ada):
    from accounts import services

    services.delete_account(user=ada)

    assert not ReminderSettings.objects.filter(user_id=ada.pk).exists()


def test_a_new_calendar_address_is_confirmed_first(ada_client, ada):
    old = ada.reminder_settings.calendar_token

    page = ada_client.get(reverse("new_calendar_link"))

    assert page.status_code == 200 and "stops working at once" in page.content.decode()
    assert ReminderSettings.objects.get(user=ada).calendar_token == old


def test_the_settings_page_shows_the_form(ada_client):
    page = ada_client.get(reverse("reminder_settings"))

    assert page.status_code == 200 and "Reminder time" in page.content.decode()
