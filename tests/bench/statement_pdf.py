"""How long one month's PDF statement takes to build, first call and warm, per language.

Standalone: ``python tests/bench/statement_pdf.py`` (``make bench`` runs it too). The
statement is built from unsaved rows (31 sessions and 2 adjustments), so the figure is
the PDF alone, not the database. Prints one JSON object.
"""

import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402
from tandem.accounts.models import Organisation, User  # noqa: E402
from tandem.recognition import exports  # noqa: E402
from tandem.recognition.models import (  # noqa: E402
    Adjustment,
    Period,
    SessionLog,
    Statement,
    StatementLine,
)
from tandem.spaces.models import Space  # noqa: E402

ROUNDS = 10


def month_statement():
    tutor = User(pk=1, username="amina", display_name="أمينة المعلمة")
    organisation = Organisation(pk=1, name="Työllisyyspalvelut Helsinki")
    period = Period(pk=1, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    statement = Statement(
        pk=7, tutor=tutor, organisation=organisation, period=period, currency="EUR", closed=True
    )
    group = Space(pk=1, name="Työnhakuryhmä · مجموعة البحث عن عمل")
    lines = []
    for day in range(1, 31):
        log = SessionLog(
            pk=day, space=group, date=dt.date(2026, 11, day), preparation_hours=Decimal("0.50")
        )
        lines.append(
            StatementLine(
                pk=day, log=log, date=log.date, hours=Decimal("2.00"), amount=Decimal("91.37")
            )
        )
    original = SessionLog(pk=99, space=group, date=dt.date(2026, 10, 14))
    for pk, amount in ((100, "-10.50"), (101, "10.50")):
        adjustment = Adjustment(pk=pk, log=original, amount=Decimal(amount), reason="Ended early")
        lines.append(
            StatementLine(
                pk=pk,
                adjustment=adjustment,
                date=dt.date(2026, 11, 30),
                hours=Decimal(0),
                amount=Decimal(amount),
            )
        )
    totals = {
        "amount": sum(line.amount for line in lines),
        "hours": sum(line.hours for line in lines),
        "preparation": Decimal("15.00"),
    }
    return statement, lines, totals


def _timed(build):
    """Wall and CPU seconds of one build; CPU time holds up better on a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    build()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(language, build=None):
    statement, lines, totals = month_statement()
    build = build or (lambda: exports.statement_pdf(statement, lines, totals=totals))
    with translation.override(language):
        first_wall, first_cpu = _timed(build)
        warm = [_timed(build) for _ in range(ROUNDS)]
    return {
        "first_wall_s": round(first_wall, 3),
        "first_cpu_s": round(first_cpu, 3),
        "warm_wall_median_s": round(statistics.median(w for w, _c in warm), 3),
        "warm_cpu_median_s": round(statistics.median(c for _w, c in warm), 3),
    }


if __name__ == "__main__":
    # The PDF prints the audit chain's head, one indexed read; a fixed head keeps the
    # figure the PDF's own, and lets the bench run without a migrated database.
    exports.chain.head = lambda: (4711, "9f" * 32)
    print(json.dumps({"statement_pdf": {lang: measure(lang) for lang in ("en", "ar")}}))
