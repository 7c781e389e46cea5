"""The audit check holds against someone with full database access.

The guards are switched off the way an intruder would (a registered function
that answers 1, a dropped trigger, PostgreSQL's replica role), money is bent
through raw SQL and the chain rewritten without the key: ``verify_audit_chain``
must fail and name each bent row. Runs on SQLite here and on PostgreSQL in CI.
"""

import importlib
import json
import shutil
import subprocess
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from tandem.recognition import actions, chain, exports, guards, queries
from tandem.recognition.models import AuditRow, ChainHead, StatementLine

keyed_migration = importlib.import_module("tandem.recognition.migrations.0007_audit_chain_keyed")


@contextmanager
def guard_off():
    """The intruder's switch: the SQLite triggers' function answers 1; replica role on PG."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        else:
            connection.connection.create_function("tandem_guard_off", 0, lambda: 1)
            try:
                yield cursor
            finally:
                connection.connection.create_function("tandem_guard_off", 0, guards.guard_off)


def verify_fails(*patterns, head=None):
    args = ["--head", head] if head else []
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_chain", *args)
    for pattern in patterns:
        assert pattern in str(error.value), str(error.value)
    return str(error.value)


def rehash_all(make_hash, rows=None):
    """Recompute every row's link and hash, as someone who can write the database would."""
    previous = chain.GENESIS
    with guard_off() as cursor:
        for row in rows if rows is not None else AuditRow.objects.order_by("id"):
            new = make_hash(previous, row.content())
            cursor.execute(
                "UPDATE recognition_auditrow SET previous_hash = %s, hash = %s WHERE id = %s",
                [previous, new, row.pk],
            )
            previous = new
        ChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_an_untouched_chain_and_its_records_verify(world, capsys):
    call_command("verify_audit_chain")
    assert "Audit chain intact" in capsys.readouterr().out


def test_rows_are_keyed_not_plain(world, settings):
    row = AuditRow.objects.order_by("id").first()
    assert row.hash == chain.keyed_hash(row.previous_hash, row.content())
    assert row.hash != chain.plain_hash(row.previous_hash, row.content())
    settings.AUDIT_CHAIN_KEY = "some-other-key-" + "z" * 40
    verify_fails(f"Audit row {row.pk} ")


def test_an_amount_bent_with_the_guard_function_switched_off_is_caught(world):
    log = world.objects["log_approved"]
    with guard_off() as cursor:
        cursor.execute("UPDATE recognition_sessionlog SET amount = 9999 WHERE id = %s", [log.pk])
    verify_fails(f"Session log {log.pk}: amount is 9999.00 in the database, {log.amount} in the")


def test_a_statement_line_bent_after_dropping_its_trigger_is_caught(world):
    line = StatementLine.objects.get(log=world.objects["log_paid"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER recognition_statementline_guard ON recognition_statementline"
            )
        else:
            cursor.execute("DROP TRIGGER recognition_line_update")
        cursor.execute(
            "UPDATE recognition_statementline SET amount = 9999 WHERE id = %s", [line.pk]
        )
    verify_fails(f"Statement line {line.pk}: amount is 9999.00", f"Statement {line.statement_id}:")


def test_a_paid_log_and_an_adjustment_bent_are_each_named(world, rec):
    adjustment = actions.add_adjustment(
        actor=rec.coordinator, log=world.objects["log_approved"], amount="3.00", reason="Late."
    )
    paid = world.objects["log_paid"]
    with guard_off() as cursor:
        cursor.execute(
            "UPDATE recognition_adjustment SET amount = 300 WHERE id = %s", [adjustment.pk]
        )
        cursor.execute("UPDATE recognition_sessionlog SET amount = 1 WHERE id = %s", [paid.pk])
    text = verify_fails(f"Adjustment {adjustment.pk}: 300.00", f"Session log {paid.pk}: amount")
    assert "problem(s)" in text


def test_a_log_put_back_before_approval_is_caught(world):
    log = world.objects["log_approved"]
    with guard_off() as cursor:
        cursor.execute(
            "UPDATE recognition_sessionlog SET state = 'confirmed' WHERE id = %s", [log.pk]
        )
    verify_fails(f"Session log {log.pk} is approved in the chain")


def test_recomputing_plain_hashes_after_bending_does_not_pass(world):
    log = world.objects["log_approved"]
    approval = AuditRow.objects.get(log=log, action="log.approved")
    with guard_off() as cursor:
        cursor.execute("UPDATE recognition_sessionlog SET amount = 9999 WHERE id = %s", [log.pk])
        data = {**approval.data, "amount": "9999.00"}
        sql = "UPDATE recognition_auditrow SET data = %s WHERE id = %s"
        if connection.vendor == "postgresql":
            sql = "UPDATE recognition_auditrow SET data = %s::jsonb WHERE id = %s"
        cursor.execute(sql, [json.dumps(data), approval.pk])
    rehash_all(chain.plain_hash)
    text = verify_fails("No row of the chain is keyed", f"Session log {log.pk} is approved but")
    assert "intact" not in text


def test_recomputing_with_a_guessed_key_does_not_pass(world):
    rehash_all(lambda previous, fields: chain.keyed_hash(previous, fields, key="guess"))
    first = AuditRow.objects.order_by("id").first()
    verify_fails(f"Audit row {first.pk} ", "made without the audit key")


def test_a_published_head_shows_rows_cut_from_the_end(world, rec):
    period = actions.close_period(
        actor=rec.coordinator,
        organisation=rec.org,
        start=world.objects["statement_open"].period.start.replace(year=2090),
        end=world.objects["statement_open"].period.end.replace(year=2090),
    )
    assert period.is_closed
    row_id, published = chain.head()
    with guard_off() as cursor:
        cursor.execute("DELETE FROM recognition_auditrow WHERE id = %s", [row_id])
        previous = AuditRow.objects.order_by("-id").values_list("hash", flat=True).first()
        ChainHead.objects.filter(pk=1).update(last_hash=previous)
    call_command("verify_audit_chain")  # without the published head, the cut cannot show
    verify_fails(f"The published head {published} is not", head=published)


def test_closing_a_period_e_mails_the_head_to_the_coordinators(
    world, rec, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_period(
            actor=rec.coordinator,
            organisation=rec.org,
            start=world.objects["statement_open"].period.start.replace(year=2091),
            end=world.objects["statement_open"].period.end.replace(year=2091),
        )
    row_id, published = chain.head()
    assert [mail.to for mail in mailoutbox] == [[rec.coordinator.email]]
    assert published in mailoutbox[0].body and f"row {row_id}" in mailoutbox[0].body
    call_command("verify_audit_chain", "--head", published)


def test_the_statement_pdf_prints_the_head(world, tmp_path):
    statement = world.objects["statement_paid"]
    pdf = exports.statement_pdf(statement, list(queries.statement_lines(statement)))
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not read back")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    row_id, published = chain.head()
    assert f"row {row_id}, {published}" in text


def test_rows_stored_before_the_key_are_kept_and_vouched_for_once(world):
    """An installation upgraded from the unkeyed chain: nothing is re-hashed or lost."""
    rehash_all(chain.plain_hash)  # as the rows were before the chain was keyed
    before = list(AuditRow.objects.order_by("id").values_list("id", "hash"))
    verify_fails("No row of the chain is keyed")
    keyed_migration.anchor(apps, None)
    assert list(AuditRow.objects.order_by("id").values_list("id", "hash"))[:-1] == before
    call_command("verify_audit_chain")
    # the old rows cannot be rewritten afterwards: the keyed row names their head
    with guard_off() as cursor:
        cursor.execute(
            "UPDATE recognition_auditrow SET reason = 'bent' WHERE id = %s", [before[2][0]]
        )
    anchor = AuditRow.objects.get(action="chain.keyed")
    rehash_all(chain.plain_hash, rows=AuditRow.objects.filter(pk__lt=anchor.pk).order_by("id"))
    verify_fails(f"Audit row {anchor.pk} ")
