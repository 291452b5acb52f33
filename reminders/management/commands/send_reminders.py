"""Queue the reminder and weekly emails owed now. Run it every 15 minutes (cron or a
systemd timer); `--every` keeps it running, for development."""

import time

from django.core.management.base import BaseCommand

from reminders.services import queue_due_emails


class Command(BaseCommand):
    help = "Queue the reminder and weekly emails owed now; the task worker sends them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, queueing again every SECONDS (development).",
        )

    def handle(self, *args, every=None, **options):
        while True:
            summary = queue_due_emails()
            daily = sum(1 for delivery in summary.queued if delivery.kind == "daily")
            self.stdout.write(
                f"Queued {len(summary.queued)} emails ({daily} daily, "
                f"{len(summary.queued) - daily} weekly); {summary.already} already queued "
                f"elsewhere; {summary.requeued} queued again after a lost task."
            )
            if not every:
                return
            time.sleep(every)
