"""A rate card is never ended behind the sessions it priced or waits to price."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from tandem.recognition import actions, queries
from tandem.recognition.models import RateCard


def test_a_card_cannot_end_before_the_last_day_it_priced(rec, world):
    card = world.objects["rate_a"]
    approved = world.objects["log_approved"]
    with pytest.raises(ValidationError) as caught:
        actions.end_rate_card(
            actor=rec.coordinator, card=card, valid_until=approved.date - timedelta(days=1)
        )
    assert caught.value.code == "rate_priced_later"
    card.refresh_from_db()
    assert card.valid_until is None


def test_the_successor_is_set_up_in_the_same_step(rec, world, client_for):
    card = world.objects["rate_a"]
    confirmed = rec.log(days_ago=1, to="confirmed")
    last = world.objects["log_approved"].date
    client = client_for("coordinator")
    url = reverse("recognition:rate_end", args=[card.pk])
    with pytest.raises(ValidationError) as caught:
        actions.end_rate_card(actor=rec.coordinator, card=card, valid_until=last)
    assert caught.value.code == "rate_leaves_logs_unpriced"
    page = client.post(url, {"valid_until": last.isoformat()}, follow=True).content.decode()
    assert "would have no rate card" in page
    card.refresh_from_db()
    assert card.valid_until is None
    client.post(url, {"valid_until": last.isoformat(), "fee_per_hour": "25.00"})
    card.refresh_from_db()
    successor = RateCard.objects.get(organisation=rec.org, valid_from=last + timedelta(days=1))
    assert card.valid_until == last and successor.fee_per_hour == Decimal("25.00")
    [log] = queries.attach_expected_amounts([confirmed])
    assert log.expected == Decimal("50.00")  # 2 h × 25.00 on the successor
