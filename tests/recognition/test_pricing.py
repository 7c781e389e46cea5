"""Pay is priced from minutes and rounded once, half-up, to the currency's minor unit."""

from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from tandem.recognition import actions
from tandem.recognition.models import AuditRow, RateCard, exact_amount

from .conftest import times

fees = st.decimals(min_value=0, max_value=Decimal("5000"), places=2)


def rational_amount(per_session, per_hour, minutes, preparation):
    """The same rule in exact fractions: half-up to cents, by hand."""
    exact = Fraction(per_session) + Fraction(per_hour) * Fraction(minutes + preparation, 60)
    cents = exact * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


@given(
    per_session=fees,
    per_hour=fees,
    minutes=st.integers(min_value=1, max_value=12 * 60),
    preparation=st.integers(min_value=0, max_value=600),
)
def test_amount_matches_exact_rational_arithmetic(per_session, per_hour, minutes, preparation):
    amount = exact_amount(
        currency="EUR",
        fee_per_session=per_session,
        fee_per_hour=per_hour,
        duration=timedelta(minutes=minutes),
        preparation_minutes=preparation,
    )
    assert amount == rational_amount(per_session, per_hour, minutes, preparation)
    assert amount == amount.quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("per_hour", "minutes", "preparation", "expected"),
    [
        ("30.00", 80, 20, "50.00"),  # was 49.80: 1.33 h + 0.33 h
        ("10.25", 30, 0, "5.13"),  # was 5.12: 5.125 rounded half-even
    ],
)
def test_the_examples_are_priced_exactly(per_hour, minutes, preparation, expected):
    card = RateCard(currency="EUR", fee_per_hour=Decimal(per_hour), preparation_paid=True)
    amount = card.amount_for(timedelta(minutes=minutes), preparation)
    assert amount == Decimal(expected)


def test_an_approved_80_minute_session_with_preparation_pays_50_euros(rec, world):
    RateCard.objects.filter(organisation=rec.org).update(
        valid_until=world.objects["rate_a"].valid_from
    )
    actions.create_rate_card(
        actor=rec.coordinator,
        organisation=rec.org,
        currency="EUR",
        fee_per_hour="30.00",
        preparation_paid=True,
        valid_from=world.objects["rate_a"].valid_from + timedelta(days=1),
    )
    start, _end = times(days_ago=4)
    log = rec.log(
        to="approved", preparation_minutes=20, start=start, end=start + timedelta(minutes=80)
    )
    assert log.amount == Decimal("50.00")
    assert log.statement_line.amount == Decimal("50.00")


def _old_rule(card, duration, preparation_minutes):
    """How logs were priced before: hours to cents first, then half-even."""
    hours = (Decimal(duration.total_seconds()) / 3600).quantize(Decimal("0.01"))
    prep = (Decimal(preparation_minutes) / 60).quantize(Decimal("0.01"))
    paid = hours + (prep if card.preparation_paid else 0)
    return ((card.fee_per_session or 0) + (card.fee_per_hour or 0) * paid).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN
    )


def test_command_lists_approved_logs_priced_off_the_exact_amount(rec, world, monkeypatch):
    exact = rec.log(days_ago=6, to="approved")  # 2 h + no preparation: the same both ways
    with monkeypatch.context() as patch:
        patch.setattr(RateCard, "amount_for", _old_rule)
        old = rec.log(days_ago=5, to="approved", preparation_minutes=20)
    # 41.37 + 20 × (2 h + 0.33 h) = 87.97 then; 41.37 + 20 × 140/60 = 88.04 exactly
    assert old.amount == Decimal("87.97") and old.exact_amount() == Decimal("88.04")
    out = StringIO()
    call_command("list_inexact_amounts", stdout=out)
    text = out.getvalue()
    assert f"#{old.pk} " in text and "+0.07" in text
    assert f"#{exact.pk} " not in text
    assert "1 approved log" in text

    actions.add_adjustment(
        actor=rec.coordinator, log=old, amount="0.07", reason="Priced from exact minutes."
    )
    assert AuditRow.objects.filter(log=old, action="log.adjusted").exists()
    out = StringIO()
    call_command("list_inexact_amounts", stdout=out)
    assert f"#{old.pk} " not in out.getvalue() and "No approved log" in out.getvalue()
