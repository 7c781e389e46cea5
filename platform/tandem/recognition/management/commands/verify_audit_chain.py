from django.core.management.base import BaseCommand, CommandError

from tandem.recognition.actions import verify_chain


class Command(BaseCommand):
    help = "Check the chained audit rows of session logs and statements; name the first bad row."

    def handle(self, *args, **options):
        checked, bad, tail_missing = verify_chain()
        if bad is not None:
            raise CommandError(
                f"Audit row {bad.pk} ({bad.action}, {bad.created:%Y-%m-%d %H:%M:%S}) does not "
                f"match the chain: it, or a row before it, was changed or removed. "
                f"{checked} rows before it are intact."
            )
        if tail_missing:
            raise CommandError(
                "Rows were removed from the end of the chain: the head "
                f"no longer points at the last of the {checked} rows."
            )
        self.stdout.write(f"Audit chain intact: {checked} rows.")
