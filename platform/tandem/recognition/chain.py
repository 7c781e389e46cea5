"""The money audit chain: keyed hashes, and the check of the records against it.

Each ``AuditRow`` stores ``hash = HMAC-SHA256(AUDIT_CHAIN_KEY, previous hash +
canonical content)``. The key is a setting from the environment, never in the
database: whoever can write the database (the triggers switched off, dropped,
or a raw UPDATE) can change a row but cannot make a hash that checks out, nor
recompute the chain after an edit.

Rows written before the chain was keyed carry plain SHA-256 hashes. Migration
``0007_audit_chain_keyed`` appended one keyed row, ``chain.keyed``, naming
how many such rows there were and the hash of the last: from there on every
row is keyed, and the keyed row vouches for the unkeyed ones before it.

``check()`` walks the chain, then compares every approved and paid log,
statement line, adjustment and paid statement with what the chain recorded
when it was approved, adjusted or paid, and reports each mismatch.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

from .models import Adjustment, AuditRow, ChainHead, SessionLog, Statement, StatementLine, canonical

GENESIS = "0" * 64
ANCHOR = "chain.keyed"


def keyed_hash(previous, fields, key=None):
    key = (key or settings.AUDIT_CHAIN_KEY).encode()
    return hmac.new(key, previous.encode() + canonical(fields), hashlib.sha256).hexdigest()


def plain_hash(previous, fields):
    """How rows were hashed before the chain was keyed."""
    return hashlib.sha256(previous.encode() + canonical(fields)).hexdigest()


def head():
    """The last row of the chain as ``(row id, hash)``, or None for an empty chain.

    Printed on statements and e-mailed when a period closes, where the
    database cannot change it: ``verify_audit_chain --head`` finds it again.
    """
    row = AuditRow.objects.order_by("-id").values_list("id", "hash").first()
    return tuple(row) if row else None


@dataclass
class Report:
    checked: int = 0
    problems: list = field(default_factory=list)
    # rows about money whose hash checks out, by id: the only ones records are compared with
    trusted: dict = field(default_factory=dict)
    head_found: bool = False

    @property
    def intact(self):
        return not self.problems


def _walk(report, expect_head=None):
    previous = GENESIS
    unkeyed = 0
    keyed_seen = False
    for row in AuditRow.objects.order_by("id").iterator(chunk_size=500):
        content = row.content()
        where = f"Audit row {row.pk} ({row.action}, {row.created:%Y-%m-%d %H:%M:%S})"
        if row.previous_hash != previous:
            report.problems.append(
                f"{where} does not match the chain: it, or a row before it, was changed or removed."
            )
        elif row.hash == keyed_hash(previous, content):
            if not keyed_seen and unkeyed and not _anchors(row, unkeyed, previous):
                report.problems.append(
                    f"{where} does not match the chain: {unkeyed} unkeyed rows come before "
                    "the first keyed row and no keyed row vouches for them."
                )
            else:
                _trust(report, row, expect_head)
            keyed_seen = True
        elif not keyed_seen and row.hash == plain_hash(previous, content):
            unkeyed += 1
            _trust(report, row, None)
        else:
            report.problems.append(
                f"{where} does not match the chain: it, or a row before it, was changed or "
                "removed, or its hash was made without the audit key."
            )
        previous = row.hash
        report.checked += 1
    if unkeyed and not keyed_seen:
        report.problems.append(
            f"No row of the chain is keyed: its {unkeyed} rows were rewritten without the "
            "audit key, or migration 0007_audit_chain_keyed has not run."
        )
        report.trusted.clear()
        report.head_found = False
    chain_head = ChainHead.objects.filter(pk=1).first()
    if chain_head is not None and chain_head.last_hash != previous:
        report.problems.append(
            "Rows were removed from the end of the chain: the head "
            f"no longer points at the last of the {report.checked} rows."
        )
    if expect_head and not report.head_found:
        report.problems.append(
            f"The published head {expect_head} is not a keyed row of the chain: rows were "
            "removed or rewritten since it was published."
        )


def _anchors(row, unkeyed, previous):
    data = row.data or {}
    return (
        row.action == ANCHOR
        and data.get("unkeyed_rows") == unkeyed
        and data.get("unkeyed_head") == previous
    )


MONEY_ACTIONS = {"log.approved", "log.paid", "log.adjusted", "statement.paid"}


def _trust(report, row, expect_head):
    if row.action in MONEY_ACTIONS:
        report.trusted[row.pk] = row
    if expect_head and row.hash == expect_head:
        report.head_found = True


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _differs(stored, chained):
    if chained is None:
        return False
    if isinstance(stored, Decimal) or stored is None:
        return (None if stored is None else Decimal(stored)) != _decimal(chained)
    return str(stored) != str(chained)


def _compare(report):
    """Every record that counts for money, against what the trusted chain says of it."""
    approved, paid, adjusted, statements_paid = {}, {}, {}, {}
    for row in report.trusted.values():
        if row.action == "log.approved" and row.log_id:
            approved[row.log_id] = row
        elif row.action == "log.paid" and row.log_id:
            paid[row.log_id] = row
        elif row.action == "log.adjusted":
            adjusted[row.data.get("adjustment")] = row
        elif row.action == "statement.paid" and row.statement_id:
            statements_paid[row.statement_id] = row
    problems = report.problems
    frozen = SessionLog.FROZEN_STATES
    for log in SessionLog.objects.filter(state__in=frozen).order_by("id").iterator():
        row = approved.get(log.pk)
        if row is None:
            problems.append(f"Session log {log.pk} is {log.state} but the chain has no approval.")
            continue
        data = row.data
        for name, chained in (
            ("amount", data.get("amount")),
            ("currency", data.get("currency")),
            ("hours", data.get("hours")),
            ("preparation_hours", data.get("preparation_hours")),
            ("fee_per_session", data.get("fee_per_session")),
            ("fee_per_hour", data.get("fee_per_hour")),
        ):
            if _differs(getattr(log, name), chained):
                problems.append(
                    f"Session log {log.pk}: {name} is {getattr(log, name)} in the database, "
                    f"{chained} in the chain (audit row {row.pk})."
                )
        if log.approved_by_id != row.actor_id:
            problems.append(
                f"Session log {log.pk}: approved by user {log.approved_by_id} in the database, "
                f"by user {row.actor_id} in the chain (audit row {row.pk})."
            )
        if log.state == SessionLog.State.PAID and log.pk not in paid:
            problems.append(f"Session log {log.pk} is paid but the chain has no payment of it.")
        elif log.pk in paid and _differs(log.amount, paid[log.pk].data.get("amount")):
            problems.append(
                f"Session log {log.pk}: amount is {log.amount} in the database, "
                f"{paid[log.pk].data.get('amount')} in the chain when paid "
                f"(audit row {paid[log.pk].pk})."
            )
    for log_id in sorted(set(approved) - set(_frozen_ids(approved))):
        problems.append(
            f"Session log {log_id} is approved in the chain (audit row {approved[log_id].pk}) "
            "but not in the database."
        )
    for line in StatementLine.objects.order_by("id").iterator():
        if line.log_id is not None:
            row = approved.get(line.log_id)
            chained = row.data if row else {}
            expected_statement = row.statement_id if row else None
        else:
            row = adjusted.get(line.adjustment_id)
            chained = row.data if row else {}
            expected_statement = row.statement_id if row else None
        if row is None:
            problems.append(f"Statement line {line.pk} has no entry in the chain.")
            continue
        if _differs(line.amount, chained.get("amount")):
            problems.append(
                f"Statement line {line.pk}: amount is {line.amount} in the database, "
                f"{chained.get('amount')} in the chain (audit row {row.pk})."
            )
        if line.log_id is not None and _differs(line.hours, chained.get("hours")):
            problems.append(
                f"Statement line {line.pk}: hours are {line.hours} in the database, "
                f"{chained.get('hours')} in the chain (audit row {row.pk})."
            )
        if expected_statement is not None and line.statement_id != expected_statement:
            problems.append(
                f"Statement line {line.pk} is on statement {line.statement_id}; the chain put "
                f"it on statement {expected_statement} (audit row {row.pk})."
            )
    for adjustment in Adjustment.objects.order_by("id").iterator():
        row = adjusted.get(adjustment.pk)
        if row is None:
            problems.append(f"Adjustment {adjustment.pk} has no entry in the chain.")
        elif _differs(adjustment.amount, row.data.get("amount")) or adjustment.log_id != row.log_id:
            problems.append(
                f"Adjustment {adjustment.pk}: {adjustment.amount} on log {adjustment.log_id} in "
                f"the database, {row.data.get('amount')} on log {row.log_id} in the chain "
                f"(audit row {row.pk})."
            )
    totals = _statement_totals()
    for statement in Statement.objects.filter(paid_at__isnull=False).order_by("id").iterator():
        row = statements_paid.get(statement.pk)
        if row is None:
            problems.append(f"Statement {statement.pk} is paid but the chain has no payment.")
        elif _differs(totals.get(statement.pk, Decimal(0)), row.data.get("total")):
            problems.append(
                f"Statement {statement.pk}: its lines come to {totals.get(statement.pk)} in the "
                f"database, {row.data.get('total')} in the chain when paid (audit row {row.pk})."
            )


def _frozen_ids(approved):
    return SessionLog.objects.filter(
        pk__in=list(approved), state__in=SessionLog.FROZEN_STATES
    ).values_list("pk", flat=True)


def _statement_totals():
    from django.db.models import Sum

    return dict(
        StatementLine.objects.values("statement_id")
        .annotate(total=Sum("amount"))
        .values_list("statement_id", "total")
    )


def check(*, expect_head=None):
    """Walk the chain and compare the money records with it; a ``Report`` of every problem."""
    report = Report()
    _walk(report, expect_head=expect_head)
    _compare(report)
    return report
