"""On PostgreSQL, one tutor's session-log writes wait for each other before the
overlap check (a transaction-scoped advisory lock), so two concurrent inserts
cannot both pass it. SQLite serialises all writes already."""

import importlib

from django.db import migrations

guards = importlib.import_module("tandem.recognition.migrations.0002_money_guards")
meeting = importlib.import_module("tandem.recognition.migrations.0003_session_log_meeting_occurrence")


def _replace(lock):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        body = guards.pg_log_guard(meeting.LOG_COLUMNS, lock=lock)
        schema_editor.execute(guards._pg_function("recognition_log_guard", body), params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("recognition", "0003_session_log_meeting_occurrence")]

    operations = [migrations.RunPython(_replace(True), _replace(False))]
