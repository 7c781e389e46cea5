import datetime as dt

import pytest
from tandem.meetings import actions


@pytest.fixture
def schedule(world):
    """Schedule a meeting in group A as the tutor; wall-clock times in its zone."""

    def make(**fields):
        data = {
            "title": "Kallio session",
            "kind": "session",
            "time_zone": "Europe/Helsinki",
            "start": dt.datetime(2026, 10, 20, 10, 0),
            "end": dt.datetime(2026, 10, 20, 12, 0),
        }
        data.update(fields)
        actor = data.pop("actor", world.people["tutor"])
        space = data.pop("space", world.spaces["group_a"])
        return actions.schedule_meeting(actor=actor, space=space, **data)

    return make
