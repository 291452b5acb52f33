"""Queueing and sending reminder emails, each exactly once, and the learner's settings."""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from reminders import emails
from reminders.models import Delivery, ReminderSettings, new_calendar_token
from reminders.selection import recipients

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A pending delivery untouched for longer than every back-off together lost its
# task (a worker's database went away mid-enqueue, say) and is queued again.
STALE_AFTER = timedelta(minutes=30)


def retry_delay(attempt: int) -> timedelta:
    """1, 2, 4, 8 minutes after attempts 1 to 4."""
    return timedelta(minutes=2 ** (attempt - 1))


def get_settings(user: AbstractBaseUser) -> ReminderSettings:
    """The learner's reminder settings, made with everything off if they have none."""
    found, _ = ReminderSettings.objects.get_or_create(user=user)
    return found


def update_settings(*, user: AbstractBaseUser, daily: bool, hour: int, weekly: bool) -> None:
    ReminderSettings.objects.update_or_create(
        user=user, defaults={"daily": daily, "hour": hour, "weekly": weekly}
    )


def new_calendar_link(*, user: AbstractBaseUser) -> ReminderSettings:
    found = get_settings(user)
    found.calendar_token = new_calendar_token()
    found.save(update_fields=["calendar_token"])
    return found


def unsubscribe(*, user_id: int, kind: str) -> bool:
    """Stop one kind of email; False when the learner no longer exists."""
    field_name = "weekly" if kind == Delivery.Kind.WEEKLY else "daily"
    return ReminderSettings.objects.filter(user_id=user_id).update(**{field_name: False}) > 0


@dataclass
class QueueSummary:
    queued: list[Delivery] = field(default_factory=list)
    already: int = 0
    requeued: int = 0


def queue_due_emails(*, now: datetime | None = None) -> QueueSummary:
    """Record and enqueue every email owed at `now`.

    The row is written before the task is enqueued; a second sender running at the
    same moment meets the unique constraint and moves on.
    """
    now = now or timezone.now()
    summary = QueueSummary()
    for recipient in recipients(now):
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    user_id=recipient.user_id, kind=recipient.kind, day=recipient.day
                )
        except IntegrityError:
            summary.already += 1
            continue
        _enqueue(delivery)
        summary.queued.append(delivery)
    # Wall-clock time, not `now`: staleness is about this machine's workers.
    stale_before = timezone.now() - STALE_AFTER
    stale = Delivery.objects.filter(state=Delivery.State.PENDING, updated_at__lt=stale_before)
    for delivery in stale.only("pk"):
        _enqueue(delivery)
        summary.requeued += 1
    return summary


def _enqueue(delivery: Delivery, *, delay: timedelta | None = None) -> None:
    from reminders.tasks import send_delivery

    task = send_delivery
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(delivery.pk)


def send_delivery(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one recorded email. Safe to call twice: only a pending delivery is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("user").filter(pk=delivery_id)
        ).first()
        if delivery is None or delivery.state != Delivery.State.PENDING:
            return delivery.state if delivery else "gone"
        delivery.state = Delivery.State.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["state", "attempts", "updated_at"])

    message = emails.build(delivery, now=now)
    if message is None:
        # Unsubscribed, or nothing left to remind about, since it was queued.
        return _finish(delivery, Delivery.State.SKIPPED)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        delivery.last_error = f"{type(error).__name__}: {error}"[:1000]
        if delivery.attempts >= MAX_ATTEMPTS:
            logger.error("Giving up on %s after %d attempts", delivery, delivery.attempts)
            return _finish(delivery, Delivery.State.FAILED)
        _finish(delivery, Delivery.State.PENDING)
        _enqueue(delivery, delay=retry_delay(delivery.attempts))
        return Delivery.State.PENDING
    delivery.sent_at = now
    return _finish(delivery, Delivery.State.SENT)


def _finish(delivery: Delivery, state: str) -> str:
    delivery.state = state
    delivery.save(update_fields=["state", "last_error", "sent_at", "updated_at"])
    return state
