"""The database's side of "records are never bent".

The triggers (migration ``0002_money_guards``) refuse to change or delete
approved and paid logs, statement lines, paid statements, closed periods and
audit rows, whoever asks: the application, the admin or raw SQL.

On SQLite the triggers call ``tandem_guard_off()``, a function only Tandem's
own connections know, and which answers 1 only while the whole database is
being flushed (``manage.py flush`` and the test runner between transactional
tests empty every table at once: a reset, not a record bent). A connection
that does not know the function (the sqlite3 shell) cannot write these
tables at all. PostgreSQL empties tables with TRUNCATE, which row triggers
do not see, so it needs no such switch.
"""

import threading
from contextlib import contextmanager

_state = threading.local()


def guard_off():
    return 1 if getattr(_state, "flushing", False) else 0


@contextmanager
def flushing():
    _state.flushing = True
    try:
        yield
    finally:
        _state.flushing = False


def register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("tandem_guard_off", 0, guard_off)


def wrap_sqlite_flush():
    from django.conf import settings

    if not any(db["ENGINE"].endswith("sqlite3") for db in settings.DATABASES.values()):
        return
    from django.db.backends.sqlite3 import base

    DatabaseOperations = base.DatabaseOperations
    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "_tandem_wrapped", False):
        return

    def execute_sql_flush(self, sql_list):
        with flushing():
            return original(self, sql_list)

    execute_sql_flush._tandem_wrapped = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush
