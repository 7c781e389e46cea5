"""Meetings in the fixture world: a weekly session, a closed one, other spaces' meetings."""

import datetime as dt

from django.utils import timezone
from tandem.core import richtext
from tandem.meetings import actions, recurrence
from tandem.meetings.models import CalendarImport, CheckIn, Occurrence


def _local(days, hour, zone="Europe/Helsinki"):
    """A naive wall-clock time ``days`` from today at ``hour``, in ``zone``."""
    today = timezone.now().astimezone(recurrence.zone(zone)).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, 0))


def extend(world):
    people, spaces = world.people, world.spaces
    weekly = actions.schedule_meeting(
        actor=people["tutor"],
        space=spaces["group_a"],
        title=world.canary("group_a", "meeting title"),
        description=world.canary("group_a", "meeting description"),
        kind="session",
        time_zone="Europe/Helsinki",
        start=_local(2, 10),
        end=_local(2, 12),
        address=world.canary("group_a", "meeting address"),
        languages="Finnish, English",
        capacity=10,
        repeat="weekly",
        repeat_count=8,
    )
    actions.add_agenda_item(
        actor=people["tutor"],
        meeting=weekly,
        title=world.canary("group_a", "agenda item"),
        kind="reflection",
        start=_local(2, 11),
        end=_local(2, 12),
    )
    weekly.refresh_from_db()
    first = weekly.start
    actions.answer(
        actor=people["member"],
        meeting=weekly,
        original_start=first,
        answer="yes",
        needs={"accessibility": world.canary("group_a", "needs")},
    )
    actions.open_check_in(actor=people["tutor"], meeting=weekly, original_start=first)
    world.objects["meeting_a"] = weekly

    past = actions.schedule_meeting(
        actor=people["counsellor"],
        space=spaces["group_a"],
        title=world.canary("group_a", "past meeting"),
        kind="session",
        time_zone="Europe/Helsinki",
        start=_local(-3, 10),
        end=_local(-3, 12),
        online_link="https://meet.example.org/kallio",
    )
    CheckIn.objects.create(
        meeting=past, occurrence=past.start, user=people["member"], how="organiser"
    )
    minutes = world.canary("group_a", "minutes")
    Occurrence.objects.create(
        meeting=past,
        original_start=past.start,
        minutes=minutes,
        minutes_html=richtext.render(minutes),
        attendee_count=1,
        closed=timezone.now(),
    )
    world.objects["meeting_a_past"] = past

    world.objects["meeting_b"] = actions.schedule_meeting(
        actor=people["other_coordinator"],
        space=spaces["group_b"],
        title=world.canary("group_b", "meeting title"),
        description=world.canary("group_b", "meeting description"),
        kind="session",
        time_zone="Europe/Brussels",
        start=_local(3, 14, "Europe/Brussels"),
        end=_local(3, 16, "Europe/Brussels"),
    )
    seminar = actions.schedule_meeting(
        actor=people["facilitator"],
        space=spaces["practice"],
        title=world.canary("practice", "seminar title"),
        kind="transnational",
        time_zone="Europe/Stockholm",
        start=_local(10, 9, "Europe/Stockholm"),
        end=_local(12, 16, "Europe/Stockholm"),
        address=world.canary("practice", "seminar address"),
    )
    actions.add_agenda_item(
        actor=people["facilitator"],
        meeting=seminar,
        title=world.canary("practice", "study visit"),
        kind="study_visit",
        start=_local(11, 9, "Europe/Stockholm"),
        end=_local(11, 12, "Europe/Stockholm"),
    )
    world.objects["meeting_p"] = seminar

    world.objects["feed_member"] = actions.renew_feed(actor=people["member"])
    world.objects["feed_tutor_a"] = actions.renew_feed(
        actor=people["tutor"], space=spaces["group_a"]
    )
    world.objects["import_a"] = CalendarImport.objects.create(
        space=spaces["group_a"],
        uploaded_by=people["tutor"],
        filename="partner.ics",
        events=[
            {
                "title": world.canary("group_a", "imported title"),
                "description": "",
                "kind": "session",
                "time_zone": "Europe/Helsinki",
                "start": (timezone.now() + dt.timedelta(days=20)).isoformat(),
                "end": (timezone.now() + dt.timedelta(days=20, hours=1)).isoformat(),
                "address": "",
                "online_link": "",
                "languages": "",
                "capacity": None,
                "repeat": "",
                "repeat_until": None,
                "repeat_count": None,
                "external_uid": "partner-1@example.org",
                "note": "",
            }
        ],
    )
