"""The database refuses to bend money records, whoever asks: raw SQL included.

These run on SQLite here and on PostgreSQL in CI's second pass, so both
trigger sets are tried.
"""

import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from tandem.recognition import actions
from tandem.recognition.models import AuditRow, SessionLog, Statement, StatementLine

from .conftest import times


def refused(sql, params=()):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_of_an_approved_log_fails(world):
    log = world.objects["log_approved"]
    refused("UPDATE recognition_sessionlog SET amount = 1000 WHERE id = %s", [log.pk])
    refused("UPDATE recognition_sessionlog SET notes = 'changed' WHERE id = %s", [log.pk])
    refused("UPDATE recognition_sessionlog SET state = 'confirmed' WHERE id = %s", [log.pk])
    log.refresh_from_db()
    assert log.state == "approved" and log.amount == world.objects["log_approved"].amount


def test_raw_delete_of_an_approved_or_paid_log_fails(world):
    for key in ("log_approved", "log_paid"):
        refused("DELETE FROM recognition_sessionlog WHERE id = %s", [world.objects[key].pk])
    assert SessionLog.objects.filter(state__in=["approved", "paid"]).count() >= 2


def test_raw_paid_without_a_paid_statement_fails(world):
    log = world.objects["log_approved"]
    refused(
        "UPDATE recognition_sessionlog SET state = 'paid', paid_at = created WHERE id = %s",
        [log.pk],
    )


def test_orm_save_of_a_paid_log_fails(world):
    log = SessionLog.objects.get(pk=world.objects["log_paid"].pk)
    log.amount = Decimal("1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        log.save()


def test_attendance_of_an_approved_log_is_fixed(world):
    log = world.objects["log_approved"]
    with pytest.raises(IntegrityError), transaction.atomic():
        log.attendees.clear()
    with pytest.raises(IntegrityError), transaction.atomic():
        log.attendees.add(world.people["tutor"])


def test_statement_lines_cannot_change_or_go(world):
    line = StatementLine.objects.filter(log=world.objects["log_approved"]).get()
    refused("UPDATE recognition_statementline SET amount = 0 WHERE id = %s", [line.pk])
    refused("DELETE FROM recognition_statementline WHERE id = %s", [line.pk])


def test_no_line_lands_on_a_closed_statement(world):
    statement = world.objects["statement_paid"]
    line = StatementLine.objects.filter(statement=statement).first()
    refused(
        "INSERT INTO recognition_statementline (statement_id, log_id, adjustment_id, date, hours,"
        " amount) VALUES (%s, NULL, NULL, %s, 0, 5)",
        [statement.pk, line.date],
    )


def test_a_paid_statement_cannot_change_or_go_and_a_closed_one_cannot_reopen(world):
    paid = world.objects["statement_paid"]
    refused("UPDATE recognition_statement SET paid_at = NULL WHERE id = %s", [paid.pk])
    refused("DELETE FROM recognition_statement WHERE id = %s", [paid.pk])
    assert Statement.objects.get(pk=paid.pk).is_paid


def test_audit_rows_cannot_change_or_go(world):
    row = AuditRow.objects.first()
    refused("UPDATE recognition_auditrow SET reason = 'x' WHERE id = %s", [row.pk])
    refused("DELETE FROM recognition_auditrow WHERE id = %s", [row.pk])


def test_a_rate_card_can_only_be_ended(world):
    card = world.objects["rate_a"]
    refused("UPDATE recognition_ratecard SET fee_per_hour = 1 WHERE id = %s", [card.pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE recognition_ratecard SET valid_until = valid_from WHERE id = %s", [card.pk]
        )


def test_a_closed_period_cannot_change(world):
    period = world.objects["statement_paid"].period
    refused("UPDATE recognition_period SET closed_at = NULL WHERE id = %s", [period.pk])
    refused("DELETE FROM recognition_period WHERE id = %s", [period.pk])


def test_the_database_refuses_overlapping_sessions_of_one_tutor(rec):
    log = rec.log(days_ago=10, hour=7)
    start, end = times(10, hour=8)
    other = rec.log(days_ago=11, hour=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionLog.objects.filter(pk=other.pk).update(start=start, end=end)
    assert SessionLog.objects.get(pk=log.pk).start != start


def test_a_draft_can_still_be_corrected(rec):
    log = rec.log()
    SessionLog.objects.filter(pk=log.pk).update(notes="corrected")
    assert SessionLog.objects.get(pk=log.pk).notes == "corrected"


def test_a_log_is_born_a_draft(rec, world):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        log = world.objects["log_draft"]
        start, end = times(30)
        cursor.execute(
            "INSERT INTO recognition_sessionlog (tutor_id, space_id, counsellor_id, date, start,"
            ' "end", preparation_minutes, topics, methods, notes, state, returned_reason,'
            " created, currency, amount, hours, rate_card_id, approved_at, approved_by_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, 0, '', '', '', 'approved', '', %s, 'EUR', 5, 1,"
            " %s, %s, %s)",
            [
                log.tutor_id,
                log.space_id,
                log.counsellor_id,
                start.date(),
                start,
                end,
                start,
                world.objects["rate_a"].pk,
                start,
                world.people["coordinator"].pk,
            ],
        )


def test_verify_audit_chain_passes_on_an_untouched_chain(world, capsys):
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out


def _without_guard(sql, params):
    """Tamper as an intruder with full database access would: guard off, then edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER recognition_audit_update")
            cursor.execute("DROP TRIGGER recognition_audit_delete")
            cursor.execute(sql, params)


def test_verify_audit_chain_names_the_first_tampered_row(world):
    rows = list(AuditRow.objects.order_by("id").values_list("id", flat=True))
    target = rows[len(rows) // 2]
    _without_guard("UPDATE recognition_auditrow SET reason = 'bent' WHERE id = %s", [target])
    with pytest.raises(CommandError, match=f"Audit row {target} "):
        call_command("verify_audit_chain")


def test_verify_audit_chain_notices_a_removed_row(world):
    rows = list(AuditRow.objects.order_by("id").values_list("id", flat=True))
    _without_guard("DELETE FROM recognition_auditrow WHERE id = %s", [rows[3]])
    with pytest.raises(CommandError, match=f"Audit row {rows[4]} "):
        call_command("verify_audit_chain")


def test_verify_audit_chain_notices_rows_cut_from_the_end(world):
    last = AuditRow.objects.order_by("-id").first()
    _without_guard("DELETE FROM recognition_auditrow WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="removed from the end"):
        call_command("verify_audit_chain")


def test_every_action_appends_to_the_chain_in_order(rec):
    before = AuditRow.objects.count()
    log = rec.log(to="approved")
    actions.add_adjustment(actor=rec.coordinator, log=log, amount="1.00", reason="Rounding.")
    rows = list(AuditRow.objects.order_by("id"))
    assert len(rows) == before + 5
    for previous, row in itertools.pairwise(rows):
        assert row.previous_hash == previous.hash


def test_the_meeting_an_approved_log_names_is_fixed_too(world):
    log = world.objects["log_approved"]
    refused(
        "UPDATE recognition_sessionlog SET meeting_occurrence = created WHERE id = %s", [log.pk]
    )
    refused("UPDATE recognition_sessionlog SET meeting_id = 7 WHERE id = %s", [log.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger function")
def test_postgresql_serialises_one_tutors_writes_before_the_overlap_check(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'recognition_log_guard'")
        (source,) = cursor.fetchone()
    assert "pg_advisory_xact_lock" in source
    assert '"meeting_occurrence"' in source
