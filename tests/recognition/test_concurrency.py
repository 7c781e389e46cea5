"""Two coordinators approve the same log at the same moment: exactly one wins.

Needs real row locks, so it runs on PostgreSQL (CI's second pass); SQLite
serialises every write anyway, and the single-process test of the losing
side's message is in test_actions.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from tandem.accounts.models import OrganisationRole, User
from tandem.recognition import actions
from tandem.recognition.models import AuditRow, SessionLog, StatementLine

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI's second pass)"
    ),
]


def test_two_coordinators_approving_at_once_exactly_one_wins(rec):
    second = User.objects.create_user(username="coordinator2", display_name="Second Coordinator")
    OrganisationRole.objects.create(organisation=rec.org, user=second, role="coordinator")
    log = rec.log(to="confirmed")
    barrier = threading.Barrier(2)
    results = {}

    def approve(actor):
        from django.db import connection as thread_connection

        try:
            stale = SessionLog.objects.get(pk=log.pk)
            barrier.wait(timeout=10)
            actions.approve_log(actor=actor, log=stale)
            results[actor.username] = "approved"
        except ValidationError as error:
            results[actor.username] = error.code
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (rec.coordinator, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["already_approved", "approved"]
    assert StatementLine.objects.filter(log=log).count() == 1
    assert AuditRow.objects.filter(log=log, to_state="approved").count() == 1


def test_two_overlapping_logs_written_at_once_one_is_refused(rec):
    from .conftest import times

    barrier = threading.Barrier(2)
    results = []

    def log(hour):
        from django.db import connection as thread_connection

        start, end = times(10, hour=hour, hours=2)
        try:
            barrier.wait(timeout=10)
            actions.create_log(
                actor=rec.tutor, space=rec.group, counsellor=rec.counsellor, start=start, end=end
            )
            results.append("logged")
        except ValidationError as error:
            results.append(error.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=log, args=(hour,)) for hour in (7, 8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["logged", "overlap"]
