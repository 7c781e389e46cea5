"""Database triggers that back the rule "approved and paid records are never bent".

SQLite and PostgreSQL each get their own set; both refuse the same things:
- a session log that is approved or paid changes (except approved -> paid,
  when its statement is paid) or is deleted; a log is born in draft; it is
  approved only from confirmed; its attendees are fixed once approved;
- two sessions of one tutor overlap in time;
- a statement line changes or is deleted, or lands on a closed statement;
- a paid statement changes, a closed one reopens, either is deleted;
- an adjustment or an audit row changes or is deleted;
- a closed period changes or is deleted;
- a rate card changes anything but its end date.

SQLite rebuilds a table on many schema changes and drops its triggers then:
a later migration that alters one of these tables must run ``sqlite_sql()``
of this module again (see docs/recognition.md).
"""

from django.db import migrations

LOG_COLUMNS = [
    "tutor_id", "space_id", "counsellor_id", "date", "start", "end", "preparation_minutes",
    "topics", "methods", "notes", "meeting_id", "returned_reason", "created", "submitted_at",
    "confirmed_at", "confirmed_by_id", "approved_at", "approved_by_id", "rate_card_id",
    "currency", "fee_per_session", "fee_per_hour", "hours", "preparation_hours", "amount",
]
RATE_COLUMNS = [
    "organisation_id", "currency", "fee_per_session", "fee_per_hour", "preparation_paid",
    "valid_from", "created", "created_by_id",
]
STATEMENT_KEYS = ["tutor_id", "organisation_id", "period_id", "currency"]

FROZEN = "('approved', 'paid')"


def _same(columns, sqlite):
    op = "IS" if sqlite else "IS NOT DISTINCT FROM"
    return " AND ".join(f'NEW."{c}" {op} OLD."{c}"' for c in columns)


def sqlite_triggers(log_columns=LOG_COLUMNS):
    return {
        "recognition_log_born_draft": f"""
            BEFORE INSERT ON recognition_sessionlog
            WHEN NEW.state <> 'draft' AND NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'a session log starts as a draft'); END""",
        "recognition_log_frozen_update": f"""
            BEFORE UPDATE ON recognition_sessionlog
            WHEN OLD.state IN {FROZEN} AND NOT tandem_guard_off() AND NOT (
                OLD.state = 'approved' AND NEW.state = 'paid' AND NEW.paid_at IS NOT NULL
                AND NEW.id IS OLD.id AND {_same(log_columns, True)}
                AND EXISTS (SELECT 1 FROM recognition_statementline l
                            JOIN recognition_statement s ON s.id = l.statement_id
                            WHERE l.log_id = OLD.id AND s.paid_at IS NOT NULL))
            BEGIN SELECT RAISE(ABORT, 'approved and paid session logs cannot be changed'); END""",
        "recognition_log_approve_from_confirmed": f"""
            BEFORE UPDATE OF state ON recognition_sessionlog
            WHEN NEW.state = 'approved' AND OLD.state <> 'confirmed' AND OLD.state <> 'approved'
                 AND NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'only a confirmed session log can be approved'); END""",
        "recognition_log_frozen_delete": f"""
            BEFORE DELETE ON recognition_sessionlog
            WHEN OLD.state IN {FROZEN} AND NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'approved and paid session logs cannot be deleted'); END""",
        "recognition_log_no_overlap_insert": """
            BEFORE INSERT ON recognition_sessionlog
            WHEN EXISTS (SELECT 1 FROM recognition_sessionlog o WHERE o.tutor_id = NEW.tutor_id
                         AND o.start < NEW."end" AND o."end" > NEW.start)
            BEGIN SELECT RAISE(ABORT, 'sessions of one tutor cannot overlap'); END""",
        "recognition_log_no_overlap_update": """
            BEFORE UPDATE OF start, "end", tutor_id ON recognition_sessionlog
            WHEN EXISTS (SELECT 1 FROM recognition_sessionlog o WHERE o.tutor_id = NEW.tutor_id
                         AND o.id <> NEW.id AND o.start < NEW."end" AND o."end" > NEW.start)
            BEGIN SELECT RAISE(ABORT, 'sessions of one tutor cannot overlap'); END""",
        "recognition_attendees_frozen_insert": f"""
            BEFORE INSERT ON recognition_sessionlog_attendees
            WHEN (SELECT state FROM recognition_sessionlog WHERE id = NEW.sessionlog_id) IN {FROZEN}
                 AND NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'attendance of an approved session cannot change'); END""",
        "recognition_attendees_frozen_delete": f"""
            BEFORE DELETE ON recognition_sessionlog_attendees
            WHEN (SELECT state FROM recognition_sessionlog WHERE id = OLD.sessionlog_id) IN {FROZEN}
                 AND NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'attendance of an approved session cannot change'); END""",
        "recognition_attendees_frozen_update": f"""
            BEFORE UPDATE ON recognition_sessionlog_attendees
            WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'attendance rows are never changed'); END""",
        "recognition_line_insert": """
            BEFORE INSERT ON recognition_statementline
            WHEN NOT tandem_guard_off() AND (
                (SELECT closed FROM recognition_statement WHERE id = NEW.statement_id)
                OR (NEW.log_id IS NOT NULL AND (SELECT state FROM recognition_sessionlog
                                                WHERE id = NEW.log_id) <> 'approved'))
            BEGIN SELECT RAISE(ABORT, 'a line goes only on an open statement, for an approved log');
            END""",
        "recognition_line_update": """
            BEFORE UPDATE ON recognition_statementline WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'statement lines cannot be changed'); END""",
        "recognition_line_delete": """
            BEFORE DELETE ON recognition_statementline WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'statement lines cannot be deleted'); END""",
        "recognition_statement_update": f"""
            BEFORE UPDATE ON recognition_statement
            WHEN NOT tandem_guard_off() AND (OLD.paid_at IS NOT NULL
                 OR (OLD.closed AND NOT NEW.closed) OR NOT ({_same(STATEMENT_KEYS, True)}))
            BEGIN SELECT RAISE(ABORT, 'a paid statement cannot be changed nor a closed one reopened');
            END""",
        "recognition_statement_delete": """
            BEFORE DELETE ON recognition_statement
            WHEN NOT tandem_guard_off() AND (OLD.closed OR OLD.paid_at IS NOT NULL)
            BEGIN SELECT RAISE(ABORT, 'closed and paid statements cannot be deleted'); END""",
        "recognition_adjustment_update": """
            BEFORE UPDATE ON recognition_adjustment WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'adjustments cannot be changed'); END""",
        "recognition_adjustment_delete": """
            BEFORE DELETE ON recognition_adjustment WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'adjustments cannot be deleted'); END""",
        "recognition_audit_update": """
            BEFORE UPDATE ON recognition_auditrow WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'audit rows cannot be changed'); END""",
        "recognition_audit_delete": """
            BEFORE DELETE ON recognition_auditrow WHEN NOT tandem_guard_off()
            BEGIN SELECT RAISE(ABORT, 'audit rows cannot be deleted'); END""",
        "recognition_period_update": """
            BEFORE UPDATE ON recognition_period
            WHEN NOT tandem_guard_off() AND (OLD.closed_at IS NOT NULL
                 OR NEW.start IS NOT OLD.start OR NEW."end" IS NOT OLD."end"
                 OR NEW.organisation_id IS NOT OLD.organisation_id)
            BEGIN SELECT RAISE(ABORT, 'a closed period cannot be changed'); END""",
        "recognition_period_delete": """
            BEFORE DELETE ON recognition_period
            WHEN NOT tandem_guard_off() AND OLD.closed_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'a closed period cannot be deleted'); END""",
        "recognition_ratecard_update": f"""
            BEFORE UPDATE ON recognition_ratecard
            WHEN NOT tandem_guard_off() AND NOT ({_same(RATE_COLUMNS, True)})
            BEGIN SELECT RAISE(ABORT, 'a rate card can only be ended, not changed'); END""",
    }


def sqlite_sql(log_columns=LOG_COLUMNS):
    return [
        f"CREATE TRIGGER {name} {body};" for name, body in sqlite_triggers(log_columns).items()
    ]


def sqlite_drop_sql(log_columns=LOG_COLUMNS):
    return [f"DROP TRIGGER IF EXISTS {name};" for name in sqlite_triggers(log_columns)]


def _pg_function(name, body):
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{body}
END;
$$;"""


def _raise(message):
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = '23000';"


def pg_functions(log_columns=LOG_COLUMNS):
    return {**PG_FUNCTIONS, "recognition_log_guard": pg_log_guard(log_columns)}


def pg_log_guard(log_columns, lock=False):
    # With ``lock``, one tutor's writes wait for each other before the overlap
    # check, so two transactions cannot both add overlapping sessions.
    serialise = (
        "PERFORM pg_advisory_xact_lock(4210, (NEW.tutor_id % 2147483647)::int);" if lock else ""
    )
    return f"""
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'draft' THEN {_raise('a session log starts as a draft')} END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF OLD.state IN {FROZEN} THEN {_raise('approved and paid session logs cannot be deleted')}
    END IF;
    RETURN OLD;
  ELSE
    IF OLD.state IN {FROZEN} AND NOT (
        OLD.state = 'approved' AND NEW.state = 'paid' AND NEW.paid_at IS NOT NULL
        AND NEW.id = OLD.id AND {_same(log_columns, False)}
        AND EXISTS (SELECT 1 FROM recognition_statementline l
                    JOIN recognition_statement s ON s.id = l.statement_id
                    WHERE l.log_id = OLD.id AND s.paid_at IS NOT NULL)) THEN
      {_raise('approved and paid session logs cannot be changed')}
    END IF;
    IF NEW.state = 'approved' AND OLD.state NOT IN ('confirmed', 'approved') THEN
      {_raise('only a confirmed session log can be approved')}
    END IF;
  END IF;
  {serialise}
  IF EXISTS (SELECT 1 FROM recognition_sessionlog o WHERE o.tutor_id = NEW.tutor_id
             AND o.id <> NEW.id AND o.start < NEW."end" AND o."end" > NEW.start) THEN
    {_raise('sessions of one tutor cannot overlap')}
  END IF;
  RETURN NEW;"""


PG_FUNCTIONS = {
    "recognition_attendees_guard": f"""
  IF TG_OP = 'UPDATE' THEN {_raise('attendance rows are never changed')} END IF;
  IF (SELECT state FROM recognition_sessionlog
      WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.sessionlog_id ELSE NEW.sessionlog_id END)
     IN {FROZEN} THEN
    {_raise('attendance of an approved session cannot change')}
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;""",
    "recognition_line_guard": f"""
  IF TG_OP <> 'INSERT' THEN {_raise('statement lines cannot be changed or deleted')} END IF;
  IF (SELECT closed FROM recognition_statement WHERE id = NEW.statement_id)
     OR (NEW.log_id IS NOT NULL AND (SELECT state FROM recognition_sessionlog
                                     WHERE id = NEW.log_id) <> 'approved') THEN
    {_raise('a line goes only on an open statement, for an approved log')}
  END IF;
  RETURN NEW;""",
    "recognition_statement_guard": f"""
  IF TG_OP = 'DELETE' THEN
    IF OLD.closed OR OLD.paid_at IS NOT NULL THEN
      {_raise('closed and paid statements cannot be deleted')}
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.paid_at IS NOT NULL OR (OLD.closed AND NOT NEW.closed)
     OR NOT ({_same(STATEMENT_KEYS, False)}) THEN
    {_raise('a paid statement cannot be changed nor a closed one reopened')}
  END IF;
  RETURN NEW;""",
    "recognition_append_only": f"""
  {_raise('this record cannot be changed or deleted')}
  RETURN NULL;""",
    "recognition_period_guard": f"""
  IF TG_OP = 'DELETE' THEN
    IF OLD.closed_at IS NOT NULL THEN {_raise('a closed period cannot be deleted')} END IF;
    RETURN OLD;
  END IF;
  IF OLD.closed_at IS NOT NULL OR NEW.start <> OLD.start OR NEW."end" <> OLD."end"
     OR NEW.organisation_id <> OLD.organisation_id THEN
    {_raise('a closed period cannot be changed')}
  END IF;
  RETURN NEW;""",
    "recognition_ratecard_guard": f"""
  IF NOT ({_same(RATE_COLUMNS, False)}) THEN
    {_raise('a rate card can only be ended, not changed')}
  END IF;
  RETURN NEW;""",
}

PG_TRIGGERS = [
    ("recognition_log_guard", "recognition_sessionlog", "INSERT OR UPDATE OR DELETE"),
    ("recognition_attendees_guard", "recognition_sessionlog_attendees",
     "INSERT OR UPDATE OR DELETE"),
    ("recognition_line_guard", "recognition_statementline", "INSERT OR UPDATE OR DELETE"),
    ("recognition_statement_guard", "recognition_statement", "UPDATE OR DELETE"),
    ("recognition_append_only", "recognition_adjustment", "UPDATE OR DELETE"),
    ("recognition_append_only", "recognition_auditrow", "UPDATE OR DELETE"),
    ("recognition_period_guard", "recognition_period", "UPDATE OR DELETE"),
    ("recognition_ratecard_guard", "recognition_ratecard", "UPDATE"),
]


def postgresql_sql(log_columns=LOG_COLUMNS):
    sql = [_pg_function(name, body) for name, body in pg_functions(log_columns).items()]
    for function, table, events in PG_TRIGGERS:
        sql.append(
            f"CREATE TRIGGER {table}_guard BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();"
        )
    return sql


def postgresql_drop_sql(log_columns=LOG_COLUMNS):
    sql = [f"DROP TRIGGER IF EXISTS {table}_guard ON {table};" for _f, table, _e in PG_TRIGGERS]
    sql += [f"DROP FUNCTION IF EXISTS {name}();" for name in pg_functions(log_columns)]
    return sql


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, list)():
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_session_logs_rates_statements")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": sqlite_sql, "postgresql": postgresql_sql}),
            _run({"sqlite": sqlite_drop_sql, "postgresql": postgresql_drop_sql}),
        )
    ]
