from datetime import timedelta

import pytest
from django.utils import timezone
from tandem.recognition import actions


def times(days_ago=10, hour=7, hours=2, minutes=0):
    """A past session: ``days_ago`` at ``hour`` UTC (the world's own logs are at 16:00)."""
    day = timezone.now() - timedelta(days=days_ago)
    start = day.replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours, minutes=minutes)


@pytest.fixture
def rec(world):
    """The people of group A and a helper that logs a session through the actions."""

    class Rec:
        tutor = world.people["tutor"]
        counsellor = world.people["counsellor"]
        coordinator = world.people["coordinator"]
        member = world.people["member"]
        group = world.spaces["group_a"]
        org = world.orgs["a"]

        def log(self, *, days_ago=10, hour=7, hours=2, to="draft", **extra):
            start, end = times(days_ago, hour, hours)
            values = {
                "actor": self.tutor,
                "space": self.group,
                "counsellor": self.counsellor,
                "start": start,
                "end": end,
                "attendees": [self.member],
                "topics": "CV writing",
            }
            values.update(extra)
            log = actions.create_log(**values)
            if to in ("submitted", "confirmed", "approved"):
                actions.submit_log(actor=self.tutor, log=log)
            if to in ("confirmed", "approved"):
                actions.confirm_log(actor=self.counsellor, log=log)
            if to == "approved":
                actions.approve_log(actor=self.coordinator, log=log)
            log.refresh_from_db()
            return log

    return Rec()


@pytest.fixture
def arabic_statement(rec, world):
    rec.tutor.display_name = "أمينة المعلمة"
    rec.tutor.save(update_fields=["display_name"])
    rec.member.display_name = "Олена Коваленко"
    rec.member.save(update_fields=["display_name"])
    statement = world.objects["statement_paid"]
    statement.tutor.refresh_from_db()
    return statement
