"""A session log may name the meeting occurrence it was; the guards cover the new column.

The triggers are dropped before and made again after the change (SQLite may
rebuild the table and lose them), with ``meeting_occurrence`` among the columns
an approved log keeps.
"""

import importlib

from django.db import migrations, models

guards = importlib.import_module("tandem.recognition.migrations.0002_money_guards")

LOG_COLUMNS = [*guards.LOG_COLUMNS, "meeting_occurrence"]


def _run(builders, columns):
    def run(apps, schema_editor):
        build = builders.get(schema_editor.connection.vendor)
        for statement in build(columns) if build else []:
            schema_editor.execute(statement, params=None)

    return run


DROP = {"sqlite": guards.sqlite_drop_sql, "postgresql": guards.postgresql_drop_sql}
CREATE = {"sqlite": guards.sqlite_sql, "postgresql": guards.postgresql_sql}


class Migration(migrations.Migration):
    dependencies = [("recognition", "0002_money_guards")]

    operations = [
        migrations.RunPython(_run(DROP, guards.LOG_COLUMNS), _run(CREATE, guards.LOG_COLUMNS)),
        migrations.AddField(
            model_name="sessionlog",
            name="meeting_occurrence",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(_run(CREATE, LOG_COLUMNS), _run(DROP, LOG_COLUMNS)),
    ]
