"""Two people answering yes for the last place at the same moment: one gets it.

Needs a database where two connections really run at once (PostgreSQL, CI's
second pass); the embedded in-memory SQLite has one connection.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from tandem.accounts.models import Organisation, User
from tandem.meetings import actions
from tandem.meetings.models import Rsvp
from tandem.spaces.models import Membership, Role, Space

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def last_place():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (DATABASE_URL): two connections at once.")
    org = Organisation.objects.create(name="Race org", country="FI")
    space = Space.objects.create(organisation=org, kind="peer_group", name="Race group")
    tutor = User.objects.create_user(username="race-tutor")
    Membership.objects.create(space=space, user=tutor, role=Role.TUTOR)
    people = []
    for i in range(6):
        person = User.objects.create_user(username=f"racer{i}")
        Membership.objects.create(space=space, user=person, role=Role.MEMBER)
        people.append(person)
    start = timezone.now() + dt.timedelta(days=3)
    meeting = actions.schedule_meeting(
        actor=tutor,
        space=space,
        title="One place",
        kind="session",
        time_zone="UTC",
        start=start,
        end=start + dt.timedelta(hours=1),
        capacity=1,
    )
    return meeting, people


def test_only_one_person_gets_the_last_place(last_place):
    meeting, people = last_place
    barrier = threading.Barrier(len(people))
    errors = []

    def say_yes(person):
        try:
            barrier.wait(timeout=10)
            actions.answer(
                actor=person, meeting=meeting, original_start=meeting.start, answer="yes"
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=say_yes, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    answers = Rsvp.objects.filter(meeting=meeting, answer="yes")
    assert answers.count() == len(people)
    assert answers.filter(waiting_since__isnull=True).count() == 1
