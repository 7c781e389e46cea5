"""Corrections of approved pay: bounded, confirmed with before/after, reversible."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from tandem.accounts.models import OrganisationRole, User
from tandem.recognition import actions, queries
from tandem.recognition.models import Adjustment, AdjustmentRequest, AuditRow, StatementLine


@pytest.fixture
def second_coordinator(rec):
    person = User.objects.create_user(username="coordinator2", display_name="Toinen Koordinaattori")
    OrganisationRole.objects.create(
        user=person, organisation=rec.org, role=OrganisationRole.Role.COORDINATOR
    )
    return person


def _log(world):
    log = world.objects["log_approved"]
    log.refresh_from_db()
    return log


def test_an_adjustment_below_zero_is_refused(rec, world):
    log = _log(world)
    lines = StatementLine.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.add_adjustment(
            actor=rec.coordinator, log=log, amount="-100000", reason="Typo in the amount."
        )
    assert caught.value.code == "below_zero"
    assert StatementLine.objects.count() == lines
    assert not Adjustment.objects.filter(log=log).exists()
    # the whole amount back is allowed: zero, not below
    actions.add_adjustment(actor=rec.coordinator, log=log, amount=-log.amount, reason="Not held.")
    with pytest.raises(ValidationError):
        actions.add_adjustment(actor=rec.coordinator, log=log, amount="-0.01", reason="Again.")


@override_settings(TANDEM={**settings.TANDEM, "ADJUSTMENT_SHARE_PERCENT": 50})
def test_a_raise_beyond_the_share_needs_a_second_coordinator(rec, world, second_coordinator):
    log = _log(world)
    half = (log.amount / 2).quantize(Decimal("0.01"))
    with pytest.raises(ValidationError) as caught:
        actions.add_adjustment(
            actor=rec.coordinator, log=log, amount=half + Decimal("0.01"), reason="Extra."
        )
    assert caught.value.code == "needs_second"
    waiting = actions.request_adjustment(
        actor=rec.coordinator, log=log, amount=half + Decimal("0.01"), reason="Extra."
    )
    assert queries.statement_totals(log.statement_line.statement)["amount"] == log.amount
    with pytest.raises(ValidationError) as caught:
        actions.approve_adjustment_request(actor=rec.coordinator, request=waiting)
    assert caught.value.code == "second_coordinator"
    adjustment = actions.approve_adjustment_request(actor=second_coordinator, request=waiting)
    assert (adjustment.created_by, adjustment.approved_by) == (rec.coordinator, second_coordinator)
    assert AuditRow.objects.filter(log=log, action="adjustment.requested").exists()
    assert AuditRow.objects.filter(log=log, action="log.adjusted").exists()
    with pytest.raises(ValidationError):
        actions.approve_adjustment_request(actor=second_coordinator, request=waiting)
    # up to the share, one coordinator is enough
    other = world.objects["log_paid"]
    other.refresh_from_db()
    actions.add_adjustment(actor=rec.coordinator, log=other, amount=half, reason="Travel.")


def test_the_form_shows_before_and_after_and_changes_nothing_until_confirmed(
    rec, world, client_for
):
    log = _log(world)
    client = client_for("coordinator")
    url = reverse("recognition:log_adjust", args=[log.pk])
    response = client.post(url, {"amount": "-10.00", "reason": "Ended early."})
    assert response.status_code == 200
    effect = response.context["effect"]
    assert (effect["before"], effect["after"]) == (log.amount, log.amount - Decimal("10.00"))
    page = response.content.decode()
    assert f"{log.amount - 10:.2f} EUR" in page and f"{log.amount:.2f} EUR" in page
    assert not Adjustment.objects.filter(log=log).exists()
    response = client.post(url, {"amount": "-10.00", "reason": "Ended early.", "confirm": "yes"})
    assert response.status_code == 302
    assert Adjustment.objects.get(log=log).amount == Decimal("-10.00")


def test_a_big_raise_through_the_form_waits_for_a_second_coordinator(rec, world, client_for):
    log = _log(world)
    AdjustmentRequest.objects.all().delete()
    client = client_for("coordinator")
    url = reverse("recognition:log_adjust", args=[log.pk])
    data = {"amount": "100000.00", "reason": "Typo.", "confirm": "yes"}
    assert client.post(url, data).status_code == 302
    assert not Adjustment.objects.filter(log=log).exists()
    assert AdjustmentRequest.objects.get(log=log).amount == Decimal("100000.00")


def test_a_mistaken_adjustment_is_reversed_and_both_show_together(rec, world, client_for):
    log = _log(world)
    mistake = actions.add_adjustment(actor=rec.coordinator, log=log, amount="-20", reason="Oops.")
    actions.add_adjustment(actor=rec.coordinator, log=log, amount="-1", reason="Late start.")
    reversal = actions.add_adjustment(
        actor=rec.coordinator, log=log, amount="", reason="Wrong log.", reverses=mistake
    )
    assert reversal.amount == Decimal("20.00") and reversal.reverses == mistake
    with pytest.raises(ValidationError) as caught:
        actions.add_adjustment(
            actor=rec.coordinator, log=log, amount="", reason="Twice.", reverses=mistake
        )
    assert caught.value.code == "already_reversed"
    ordered = [a.pk for a in queries.adjustments_of(log)]
    assert ordered.index(reversal.pk) == ordered.index(mistake.pk) + 1
    page = client_for("coordinator").get(reverse("recognition:log_detail", args=[log.pk]))
    assert "reverses the adjustment above" in page.content.decode()
