"""Random sequences of actions by random people keep the money invariants.

- total paid = the approved logs on paid statements at their frozen rates
  plus the adjustments on paid statements;
- an approved or paid record never changes (only approved -> paid);
- every change leaves an audit row, and a refused action changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tandem.recognition import actions
from tandem.recognition.models import (
    AuditRow,
    Period,
    RateCard,
    SessionLog,
    Statement,
    StatementLine,
)

from .conftest import times

ROLES = ["tutor", "counsellor", "coordinator", "member", "other_coordinator"]
OPS = [
    "create", "edit", "submit", "confirm", "return", "approve", "close", "pay", "adjust",
    "new_rate", "end_rate",
]  # fmt: skip

# Mostly the person whose turn it is, sometimes anyone: both paths get walked.
NATURAL = {
    "create": "tutor",
    "edit": "tutor",
    "new_rate": "coordinator",
    "end_rate": "coordinator",
    "submit": "tutor",
    "confirm": "counsellor",
    "return": "counsellor",
    "approve": "coordinator",
    "close": "coordinator",
    "pay": "coordinator",
    "adjust": "coordinator",
}

# The state a log must be in for the natural actor's step to make sense.
WANTS = {
    "edit": ["draft"],
    "submit": ["draft"],
    "confirm": ["submitted"],
    "return": ["submitted", "confirmed"],
    "approve": ["confirmed"],
    "adjust": ["approved", "paid"],
}

step = st.tuples(
    st.sampled_from(OPS),
    st.sampled_from(["natural"] * 4 + ROLES),
    st.integers(min_value=0, max_value=7),
    st.integers(min_value=-3000, max_value=3000),
)

FROZEN_FIELDS = [
    "tutor_id", "space_id", "counsellor_id", "date", "start", "end", "preparation_minutes",
    "topics", "methods", "notes", "rate_card_id", "currency", "fee_per_session",
    "fee_per_hour", "hours", "preparation_hours", "amount", "approved_at", "approved_by_id",
]  # fmt: skip


def frozen_state():
    logs = {
        row["id"]: row
        for row in SessionLog.objects.filter(state__in=["approved", "paid"]).values(
            "id", "state", *FROZEN_FIELDS
        )
    }
    lines = {row["id"]: row for row in StatementLine.objects.values()}
    paid = {row["id"]: row for row in Statement.objects.filter(paid_at__isnull=False).values()}
    return logs, lines, paid


def counts():
    return (
        AuditRow.objects.count(),
        list(SessionLog.objects.order_by("id").values_list("id", "state")),
        StatementLine.objects.count(),
        Period.objects.filter(closed_at__isnull=False).count(),
        Statement.objects.filter(paid_at__isnull=False).count(),
        list(RateCard.objects.order_by("id").values_list("id", "valid_until")),
        list(SessionLog.objects.order_by("id").values_list("start", "end", "notes")),
    )


def run(op, role, index, cents, world):
    people = world.people
    actor = people[NATURAL[op] if role == "natural" else role]
    logs = SessionLog.objects.filter(space=world.spaces["group_a"]).order_by("id")
    if role == "natural" and op in WANTS:
        logs = logs.filter(state__in=WANTS[op])
    logs = list(logs)
    log = logs[index % len(logs)] if logs else None
    if op == "create":
        start, end = times(days_ago=20 + index * 9, hour=7, hours=1 + index % 3)
        actions.create_log(
            actor=actor,
            space=world.spaces["group_a"],
            counsellor=people["counsellor"],
            start=start,
            end=end,
            preparation_minutes=15 * (index % 3),
            attendees=[people["member"]],
        )
    elif op == "new_rate":
        # a later card (or a bad fee: negative cents are refused) changes no approved amount
        actions.create_rate_card(
            actor=actor,
            organisation=world.orgs["a"],
            currency="EUR",
            fee_per_session=Decimal(cents) / 100,
            fee_per_hour=Decimal(abs(cents) % 3000) / 100,
            preparation_paid=bool(index % 2),
            valid_from=timezone.localdate() - timedelta(days=index * 15),
        )
    elif op == "end_rate":
        cards = list(RateCard.objects.filter(organisation=world.orgs["a"]).order_by("id"))
        card = cards[index % len(cards)]
        actions.end_rate_card(
            actor=actor, card=card, valid_until=card.valid_from + timedelta(days=abs(cents) % 400)
        )
    elif log is None:
        return
    elif op == "edit":
        start, end = times(days_ago=21 + index * 9, hour=8, hours=1 + index % 2)
        actions.update_log(
            actor=actor,
            log=log,
            counsellor=people["counsellor"],
            start=start,
            end=end,
            preparation_minutes=15 * (index % 3),
            attendees=[people["member"]],
            notes=f"corrected {cents}",
        )
    elif op == "submit":
        actions.submit_log(actor=actor, log=log)
    elif op == "confirm":
        actions.confirm_log(actor=actor, log=log)
    elif op == "return":
        actions.return_log(actor=actor, log=log, reason="Please check the times.")
    elif op == "approve":
        approved = actions.approve_log(actor=actor, log=log)
        assert approved.rate_card == actions.rate_card_for(world.orgs["a"], approved.date)
    elif op == "close":
        start, end = actions._month(log.date)
        period = Period.objects.filter(
            organisation=world.orgs["a"], start__lte=log.date, end__gte=log.date
        ).first()
        if period is not None:
            start, end = period.start, period.end
        actions.close_period(actor=actor, organisation=world.orgs["a"], start=start, end=end)
    elif op == "pay":
        statements = Statement.objects.filter(organisation=world.orgs["a"]).order_by("id")
        if role == "natural":
            statements = statements.filter(closed=True, paid_at__isnull=True) or statements
        statements = list(statements)
        actions.mark_statement_paid(actor=actor, statement=statements[index % len(statements)])
    elif op == "adjust":
        actions.add_adjustment(
            actor=actor, log=log, amount=Decimal(cents or 1) / 100, reason="Correction."
        )


def check_invariants(before_frozen):
    logs, lines, paid = frozen_state()
    old_logs, old_lines, old_paid = before_frozen
    for pk, row in old_logs.items():
        now = logs[pk]
        assert {k: v for k, v in now.items() if k != "state"} == {
            k: v for k, v in row.items() if k != "state"
        }
        assert (row["state"], now["state"]) in {("approved", "approved"), ("approved", "paid"),
                                                ("paid", "paid")}  # fmt: skip
    for pk, row in old_lines.items():
        assert lines[pk] == row
    for pk, row in old_paid.items():
        assert paid[pk] == row
    # Every approved or paid log is priced by its frozen rate and on exactly one line.
    for log in SessionLog.objects.filter(state__in=["approved", "paid"]).select_related(
        "rate_card", "statement_line"
    ):
        # the fees frozen on the log are those of the card in force when it was approved
        assert (log.currency, log.fee_per_session, log.fee_per_hour) == (
            log.rate_card.currency,
            log.rate_card.fee_per_session,
            log.rate_card.fee_per_hour,
        )
        assert log.amount == log.exact_amount()
        assert log.statement_line.amount == log.amount
    # Paid statements pay exactly their logs (all paid) and adjustments.
    paid_lines = StatementLine.objects.filter(statement__paid_at__isnull=False)
    total_paid = paid_lines.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    logs_paid = SessionLog.objects.filter(state="paid").aggregate(s=Sum("amount"))["s"] or Decimal(
        0
    )
    adjustments_paid = paid_lines.filter(adjustment__isnull=False).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal(0)
    assert total_paid == logs_paid + adjustments_paid
    assert not SessionLog.objects.filter(
        state="approved", statement_line__statement__paid_at__isnull=False
    ).exists()
    # The audit trail of each log ends in its present state.
    for log in SessionLog.objects.all():
        last = (
            AuditRow.objects.filter(log=log)
            .exclude(action__in=["log.adjusted", "adjustment.requested"])
            .last()
        )
        assert last is not None and last.to_state == log.state
    return logs, lines, paid


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=24))
def test_random_actions_keep_the_money_invariants(world, steps):
    with transaction.atomic():
        frozen = frozen_state()
        for op, role, index, cents in steps:
            before = counts()
            audit_before = AuditRow.objects.count()
            try:
                with transaction.atomic():
                    run(op, role, index, cents, world)
            except (ValidationError, PermissionDenied):
                assert counts() == before, f"a refused {op} by {role} changed something"
            else:
                if counts() != before:
                    assert AuditRow.objects.count() > audit_before, f"{op} left no audit row"
            frozen = check_invariants(frozen)
        transaction.set_rollback(True)


def test_hours_and_amounts_use_decimal_cents(rec):
    log = rec.log(to="approved", hours=1, preparation_minutes=20)
    assert isinstance(log.amount, Decimal)
    # 41.37 + 20.00 × 80/60 = 68.0366…: priced from minutes, not from 1.33 hours
    assert log.amount == Decimal("68.04")
    assert log.preparation_hours == Decimal("0.33")
    assert log.end - log.start == timedelta(hours=1)
