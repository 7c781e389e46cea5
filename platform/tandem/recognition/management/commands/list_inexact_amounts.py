from django.core.management.base import BaseCommand

from tandem.recognition.queries import inexact_amounts


class Command(BaseCommand):
    help = (
        "List approved and paid session logs whose frozen amount differs from the amount "
        "priced from exact minutes, and that no adjustment of the difference puts right yet."
    )

    def handle(self, *args, **options):
        rows = inexact_amounts()
        for log, exact, difference in rows:
            self.stdout.write(
                f"#{log.pk} {log.date} {log.space.organisation.name} · {log.tutor.name}: "
                f"{log.amount} {log.currency}, exactly {exact}, difference {difference:+} "
                f"(add an adjustment at /sessions/{log.pk}/adjust/)"
            )
        if rows:
            self.stdout.write(f"{len(rows)} approved log(s) to put right with an adjustment.")
        else:
            self.stdout.write("No approved log differs from its exact amount.")
