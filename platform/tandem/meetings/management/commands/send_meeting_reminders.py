"""Remind people of meetings they said yes to; a scheduler runs it (say, hourly).

Safe to run as often as wanted: each person gets one reminder per occurrence.
"""

from django.core.management.base import BaseCommand

from tandem.meetings import actions


class Command(BaseCommand):
    help = "Send in-app and e-mail reminders of meetings starting soon (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Remind of meetings starting within this many hours (default 24).",
        )

    def handle(self, *args, hours, **options):
        sent = actions.send_reminders(hours=max(1, min(hours, 24 * 14)))
        self.stdout.write(f"Reminders sent: {sent}")
