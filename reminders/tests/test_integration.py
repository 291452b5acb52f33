"""The reminder path end to end: a real SMTP server, the real task backend and worker,
and two senders racing on PostgreSQL."""

import email
import threading
from datetime import UTC, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.infra import free_port
from reminders import services
from reminders.models import Delivery
from reminders.tests.factories import CardFactory, make_learner

EVENING = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def at_evening(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: EVENING)


@pytest.fixture
def ada():
    learner = make_learner(username="ada")
    CardFactory.create_batch(2, user=learner, due=datetime(2026, 1, 1, tzinfo=UTC))
    return learner


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    yield inbox
    controller.stop()


@pytest.mark.django_db
def test_a_reminder_goes_through_a_real_smtp_server(smtp_server, ada, at_evening):
    services.queue_due_emails(now=EVENING)

    [(recipients, raw)] = smtp_server.messages
    assert recipients == ["ada@example.com"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "2 reviews due now, about 3 min"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "2 questions are due for review today" in plain
    assert "<strong>2 questions</strong>" in html
    assert Delivery.objects.get().state == "sent"


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_and_worker_send_it(settings, ada, at_evening):
    settings.TASKS = DATABASE_TASKS

    services.queue_due_emails(now=EVENING)

    # Recorded and queued, not yet sent: that is the worker's job.
    assert Delivery.objects.get().state == "pending" and mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert Delivery.objects.get().state == "sent"
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_waits_for_its_back_off_in_the_queue(settings, ada, at_evening):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            # Nothing listens here: the send fails as with an SMTP server that is down.
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "use_tls": False, "timeout": 2},
        }
    }

    services.queue_due_emails(now=EVENING)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in delivery.last_error
    retry = DBTaskResult.objects.filter(status="READY").get()
    # The worker ran the queue dry without it: the retry waits its minute.
    assert retry.run_after == EVENING + services.retry_delay(1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_the_same_moment_send_one_reminder(ada, at_evening):
    barrier = threading.Barrier(2)
    errors = []

    def sender():
        try:
            barrier.wait()
            services.queue_due_emails(now=EVENING)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1
