"""Queueing and sending: exactly once, retried with back-off, never lost silently."""

import smtplib
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import DailyActivity
from reminders import services
from reminders.models import Delivery, ReminderSettings
from reminders.tests.factories import CardFactory, make_learner

pytestmark = pytest.mark.django_db

EVENING = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)  # a Thursday
MONDAY_EVENING = datetime(2026, 1, 19, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The task worker reads the clock itself; set it to the instant under test."""

    class Clock:
        now = EVENING

        def set(self, when):
            self.now = when

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def ada():
    learner = make_learner(username="ada", goal=10)
    CardFactory.create_batch(3, user=learner, due=datetime(2026, 1, 10, tzinfo=UTC))
    return learner


class FlakySMTP:
    """Raises on the first `failures` sends, then lets them through to the outbox."""

    def __init__(self, monkeypatch, failures: int):
        self.calls = 0
        self.failures = failures
        original = mail.EmailMessage.send

        def send(message, *args, **kwargs):
            self.calls += 1
            if self.calls <= self.failures:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return original(message, *args, **kwargs)

        monkeypatch.setattr(mail.EmailMessage, "send", send)


def test_a_due_reminder_is_recorded_then_sent(ada):
    summary = services.queue_due_emails(now=EVENING)

    assert [d.kind for d in summary.queued] == ["daily"]
    delivery = Delivery.objects.get()
    assert (delivery.user, delivery.day, delivery.state) == (ada, date(2026, 1, 15), "sent")
    assert delivery.attempts == 1 and delivery.sent_at == EVENING
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "3 reviews due now, about 4 min"


def test_running_the_sender_again_sends_nothing_more(ada):
    services.queue_due_emails(now=EVENING)
    again = services.queue_due_emails(now=EVENING + timedelta(minutes=15))

    assert again.queued == []
    assert len(mail.outbox) == 1 and Delivery.objects.count() == 1


def test_a_delivery_task_run_twice_sends_once(ada):
    services.queue_due_emails(now=EVENING)
    delivery = Delivery.objects.get()

    assert services.send_delivery(delivery_id=delivery.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_until_it_succeeds(ada, monkeypatch):
    smtp = FlakySMTP(monkeypatch, failures=2)

    services.queue_due_emails(now=EVENING)

    delivery = Delivery.objects.get()
    assert smtp.calls == 3
    assert (delivery.state, delivery.attempts) == ("sent", 3)
    assert "SMTPServerDisconnected" in delivery.last_error
    assert len(mail.outbox) == 1


def test_a_send_that_keeps_failing_is_recorded_as_failed(ada, monkeypatch, caplog):
    smtp = FlakySMTP(monkeypatch, failures=99)

    services.queue_due_emails(now=EVENING)

    delivery = Delivery.objects.get()
    assert smtp.calls == services.MAX_ATTEMPTS
    assert (delivery.state, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert "Connection unexpectedly closed" in delivery.last_error
    assert "Giving up" in caplog.text
    assert mail.outbox == []


def test_retries_back_off():
    assert [services.retry_delay(n) for n in range(1, 5)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]


def test_a_learner_who_unsubscribed_after_queueing_is_skipped(ada):
    delivery = Delivery.objects.create(user=ada, kind="daily", day=date(2026, 1, 15))
    ReminderSettings.objects.filter(user=ada).update(daily=False)

    assert services.send_delivery(delivery_id=delivery.pk, now=EVENING) == "skipped"
    assert mail.outbox == []


def test_the_reminder_counts_the_goal_when_nothing_is_due():
    learner = make_learner(username="grace", goal=10)
    DailyActivity.objects.create(user=learner, day=date(2026, 1, 15), answers=7)

    services.queue_due_emails(now=EVENING)

    [message] = mail.outbox
    assert message.subject == "3 questions to reach today's goal"
    assert "3 more questions and you meet today's goal" in message.body


def test_the_reminder_estimates_time_from_the_learners_own_pace(ada):
    from quizzes.tests.factories import AnswerFactory

    AnswerFactory.create_batch(
        2, user=ada, session__user=ada, seconds_to_reveal=100, seconds_to_grade=20,
        answered_at=EVENING - timedelta(days=1),
    )  # fmt: skip

    services.queue_due_emails(now=EVENING)

    # 3 due at 120 s each
    assert mail.outbox[0].subject == "3 reviews due now, about 6 min"


def test_mail_has_plain_and_html_parts_and_one_click_unsubscribe_headers(ada):
    other = make_learner(username="mallory", goal=10)
    CardFactory(user=other, due=datetime(2026, 1, 1, tzinfo=UTC))

    services.queue_due_emails(now=EVENING)

    message = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "3 questions are due" in message.body and "<strong>3 questions</strong>" in html
    assert "http://127.0.0.1:8000/practice/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/reminders/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body and unsubscribe.strip("<>") in html
    # Nothing of the other learner's.
    for part in (message.body, html, message.subject):
        assert "mallory" not in part
    assert "<img" not in html


def test_the_weekly_email_sums_up_the_week(clock):
    clock.set(MONDAY_EVENING)
    learner = make_learner(username="weekly", daily=False, weekly=True)
    for offset, answers, recalled in [(1, 10, 8), (2, 5, 3), (9, 40, 40)]:
        DailyActivity.objects.create(
            user=learner,
            day=date(2026, 1, 19) - timedelta(days=offset),
            answers=answers,
            recalled=recalled,
        )

    services.queue_due_emails(now=MONDAY_EVENING)

    [message] = mail.outbox
    assert message.subject == "Your week on PrepSite: 15 questions answered"
    assert "Questions answered: 15" in message.body
    assert "Recalled: 73%" in message.body  # 11 of 15; the day 9 days back is not this week
    assert "Current streak: 2 days" in message.body


def test_the_command_reports_what_it_queued(ada):
    stdout = StringIO()
    call_command("send_reminders", stdout=stdout)

    assert "Queued 1 emails (1 daily, 0 weekly)" in stdout.getvalue()
    assert len(mail.outbox) == 1


def test_a_pending_delivery_whose_task_was_lost_is_queued_again(ada):
    delivery = Delivery.objects.create(user=ada, kind="daily", day=date(2026, 1, 15))
    Delivery.objects.filter(pk=delivery.pk).update(
        updated_at=EVENING - services.STALE_AFTER - timedelta(minutes=1)
    )

    summary = services.queue_due_emails(now=EVENING)

    assert summary.requeued == 1
    assert Delivery.objects.get().state == "sent"
