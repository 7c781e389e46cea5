"""One total of pay, from one function, on every page and download."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from tandem.recognition import actions, queries
from tandem.recognition.models import StatementLine


def _overview(client, org, start, end):
    response = client.get(
        reverse("recognition:organisation", args=[org.pk]),
        {"range-start": start.isoformat(), "range-end": end.isoformat()},
    )
    assert response.status_code == 200
    return response.context


def test_the_overview_counts_adjustments_like_the_statements(rec, world, client_for):
    log = world.objects["log_approved"]
    today = timezone.localdate()
    start, end = today - timedelta(days=120), today
    client = client_for("coordinator")
    before = _overview(client, rec.org, start, end)["totals"]["EUR"]
    actions.add_adjustment(actor=rec.coordinator, log=log, amount="-10.00", reason="Left early.")
    context = _overview(client, rec.org, start, end)
    lines = StatementLine.objects.filter(
        statement__organisation=rec.org, date__gte=start, date__lte=end
    )
    on_statements = sum((line.amount for line in lines), Decimal(0))
    assert context["totals"]["EUR"] == before - Decimal("10.00") == on_statements
    group_row = next(r for r in context["per_group"] if r["group_id"] == rec.group.pk)
    tutor_row = next(r for r in context["per_tutor"] if r["tutor_key"] == rec.tutor.pk)
    assert group_row["amount"] == tutor_row["amount"] == on_statements


def test_statement_pages_the_year_and_the_pdf_share_one_total(rec, world, client_for):
    log = world.objects["log_approved"]
    adjustment = actions.add_adjustment(
        actor=rec.coordinator, log=log, amount="5.25", reason="Travel."
    )
    statement = adjustment.statement_line.statement
    expected = queries.statement_totals(statement)["amount"]
    assert expected == sum((line.amount for line in statement.lines.all()), Decimal(0))
    tutor = client_for("tutor")
    listing = tutor.get(reverse("recognition:my_statements")).context["page"]
    assert next(s for s in listing if s.pk == statement.pk).total == expected
    detail = tutor.get(reverse("recognition:statement_detail", args=[statement.pk]))
    assert detail.context["totals"]["amount"] == expected
    earned = {
        r["currency"]: r["total"]
        for r in queries.earned_in_year(rec.tutor, timezone.localdate().year)
    }
    year_lines = StatementLine.objects.filter(
        statement__tutor=rec.tutor, date__year=timezone.localdate().year
    )
    assert earned["EUR"] == sum((line.amount for line in year_lines), Decimal(0))
