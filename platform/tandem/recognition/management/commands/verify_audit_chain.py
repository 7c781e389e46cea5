from django.core.management.base import BaseCommand, CommandError

from tandem.recognition import chain


class Command(BaseCommand):
    help = (
        "Check the keyed audit chain of session logs and statements, and every approved and "
        "paid log, statement line and adjustment against it; name each row that does not match."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="HASH",
            help="a head published earlier (on a statement, in a period's e-mail) that must "
            "still be a row of the chain; may be given several times",
        )

    def handle(self, *args, **options):
        heads = options["head"] or [None]
        report = None
        problems = []
        for published in heads:
            report = chain.check(expect_head=published)
            problems += [p for p in report.problems if p not in problems]
        if problems:
            raise CommandError(
                "\n".join(problems)
                + f"\nThe audit chain does not hold: {len(problems)} problem(s) in "
                f"{report.checked} rows."
            )
        self.stdout.write(f"Audit chain intact: {report.checked} rows, every money record in it.")
