"""iCalendar out: files and private feeds that calendar programs understand."""

import datetime as dt
import re

import icalendar
import pytest
import recurring_ical_events
import time_machine
from django.urls import reverse
from tandem.meetings import actions, recurrence
from tandem.meetings.models import FeedToken
from tandem.spaces.models import Membership

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _in_september_2026():
    """Keeps the autumn sessions inside the feed window (90 days back) whenever this runs."""
    with time_machine.travel(dt.datetime(2026, 9, 20, 12, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def autumn(world, schedule):
    """Weekly sessions across the end of summer time, one cancelled, one moved."""
    weekly = schedule(
        title="Tuesday group",
        start=dt.datetime(2026, 10, 6, 10),
        end=dt.datetime(2026, 10, 6, 12),
        address="Kallio library, Helsinki",
        repeat="weekly",
        repeat_count=8,
    )
    starts = recurrence.original_starts(weekly)
    tutor = world.people["tutor"]
    actions.cancel_meeting(actor=tutor, meeting=weekly, original_start=starts[2])
    actions.move_occurrence(
        actor=tutor,
        meeting=weekly,
        original_start=starts[4],
        start=dt.datetime(2026, 11, 4, 14),
        end=dt.datetime(2026, 11, 4, 16),
    )
    online = schedule(
        title="Partners online",
        kind="online",
        time_zone="Europe/Stockholm",
        start=dt.datetime(2026, 10, 28, 13),
        end=dt.datetime(2026, 10, 28, 14, 30),
        online_link="https://meet.example.org/partners",
    )
    weekly.refresh_from_db()
    return {"weekly": weekly, "online": online, "starts": starts}


def _feed(world, client, role="member", space=None):
    token = actions.renew_feed(actor=world.people[role], space=space)
    return client.get(reverse("meetings:feed", args=[token.token])), token


def _page_starts(client, space, months):
    found = set()
    for month in months:
        body = client.get(
            reverse("meetings:calendar", args=[space.pk]), {"month": month}
        ).content.decode()
        for attrs in re.findall(r'<li class="card agenda-item[^>]*>', body):
            if "data-cancelled" in attrs:
                continue
            uid = re.search(r'data-uid="([^"]+)"', attrs).group(1)
            start = re.search(r'data-start="([^"]+)"', attrs).group(1)
            found.add((uid, recurrence.parse_key(start)))
    return found


def test_feed_expands_to_exactly_what_the_calendar_shows(world, client, client_for, autumn):
    response, _token = _feed(world, client)
    calendar = icalendar.Calendar.from_ical(response.content)
    expanded = recurring_ical_events.of(calendar).between(
        dt.datetime(2026, 9, 28, tzinfo=UTC), dt.datetime(2026, 12, 7, tzinfo=UTC)
    )
    from_feed = {
        (str(e["UID"]), e.decoded("DTSTART").astimezone(UTC))
        for e in expanded
        if str(e.get("STATUS", "")) != "CANCELLED"
        and str(e["UID"]).startswith((autumn["weekly"].uid, autumn["online"].uid))
    }
    shown = _page_starts(client_for("member"), world.spaces["group_a"], ["2026-10", "2026-11"])
    shown = {item for item in shown if item[0] in (autumn["weekly"].uid, autumn["online"].uid)}
    assert from_feed == shown
    weekly = sorted(s for uid, s in shown if uid == autumn["weekly"].uid)
    helsinki = recurrence.zone("Europe/Helsinki")
    assert len(weekly) == 7  # eight, one cancelled
    assert dt.datetime(2026, 10, 20, 7, tzinfo=UTC) not in weekly
    assert dt.datetime(2026, 11, 4, 12, tzinfo=UTC) in weekly
    regular = [s for s in weekly if s != dt.datetime(2026, 11, 4, 12, tzinfo=UTC)]
    assert {s.astimezone(helsinki).hour for s in regular} == {10}
    assert {s.hour for s in regular} == {7, 8}  # the UTC hour moves with summer time


def test_feed_has_what_calendar_programs_need(world, client, autumn):
    response, _token = _feed(world, client)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"] and response["ETag"]
    calendar = icalendar.Calendar.from_ical(response.content)
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} >= {
        "Europe/Helsinki",
        "Europe/Stockholm",
    }
    weekly = [e for e in calendar.walk("VEVENT") if e["UID"] == autumn["weekly"].uid]
    master = next(e for e in weekly if "RECURRENCE-ID" not in e)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["COUNT"] == [8]
    assert master["SEQUENCE"] == autumn["weekly"].sequence == 2
    assert master["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert "DTSTAMP" in master and "ORGANIZER" in master
    assert master["ORGANIZER"].params["CN"] == "Tutor Person"
    assert str(master["LOCATION"]) == "Kallio library, Helsinki"
    assert str(master["URL"]).startswith("http://testserver/spaces/")
    exdates = [d.dt for d in master["EXDATE"].dts]
    assert [d.astimezone(UTC) for d in exdates] == [autumn["starts"][2]]
    instances = {
        e.decoded("RECURRENCE-ID").astimezone(UTC): e for e in weekly if "RECURRENCE-ID" in e
    }
    assert str(instances[autumn["starts"][2]]["STATUS"]) == "CANCELLED"
    moved = instances[autumn["starts"][4]]
    assert moved.decoded("DTSTART").astimezone(UTC) == dt.datetime(2026, 11, 4, 12, tzinfo=UTC)
    online = next(e for e in calendar.walk("VEVENT") if e["UID"] == autumn["online"].uid)
    assert str(online["LOCATION"]) == "https://meet.example.org/partners"
    assert "https://meet.example.org/partners" in str(online["DESCRIPTION"])


def test_unchanged_feed_answers_not_modified(world, client, autumn):
    response, token = _feed(world, client)
    again = client.get(
        reverse("meetings:feed", args=[token.token]), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_revoked_feed_is_gone_and_the_new_one_works(world, client, autumn):
    response, old = _feed(world, client)
    assert response.status_code == 200
    new = actions.renew_feed(actor=world.people["member"])
    assert client.get(reverse("meetings:feed", args=[old.token])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[new.token])).status_code == 200
    actions.revoke_feed(actor=world.people["member"], feed=new)
    assert client.get(reverse("meetings:feed", args=[new.token])).status_code == 404


def test_feed_page_revokes_and_renews(world, client_for, client):
    member = client_for("member")
    member.post(reverse("meetings:feeds"), {"do": "renew"})
    feed = FeedToken.objects.get(user=world.people["member"], revoked__isnull=True)
    assert feed.token in member.get(reverse("meetings:feeds")).content.decode()
    member.post(reverse("meetings:feeds"), {"do": "revoke", "feed": feed.pk})
    assert client.get(reverse("meetings:feed", args=[feed.token])).status_code == 404


def test_someone_elses_feed_cannot_be_revoked(world, client_for):
    feed = actions.renew_feed(actor=world.people["member"])
    response = client_for("tutor").post(
        reverse("meetings:feeds"), {"do": "revoke", "feed": feed.pk}
    )
    assert response.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked is None


def test_space_feed_stops_when_the_person_leaves(world, client, autumn):
    space = world.spaces["group_a"]
    response, token = _feed(world, client, space=space)
    assert autumn["weekly"].uid.encode() in response.content
    Membership.objects.filter(space=space, user=world.people["member"]).delete()
    assert client.get(reverse("meetings:feed", args=[token.token])).status_code == 404


def test_feed_holds_only_the_persons_spaces(world, client):
    response, _token = _feed(world, client, role="outsider")
    assert world.objects["meeting_b"].uid.encode() in response.content
    assert world.objects["meeting_a"].uid.encode() not in response.content
    assert world.objects["meeting_p"].uid.encode() not in response.content


def test_single_meeting_file(world, client_for, autumn):
    online = autumn["online"]
    response = client_for("member").get(reverse("meetings:ics", args=[online.space_id, online.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == online.uid
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


def test_cancelled_meeting_stays_in_the_feed_as_cancelled(world, client, autumn):
    actions.cancel_meeting(actor=world.people["tutor"], meeting=autumn["online"])
    response, _token = _feed(world, client)
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(e for e in calendar.walk("VEVENT") if e["UID"] == autumn["online"].uid)
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1


def test_descriptions_are_plain_text_without_markdown_marks(world, client_for, schedule):
    meeting = schedule(
        title="Mentoring seminar",
        description="Good practices of **mentoring**.\n\n- bring *your* CV\n- [map](https://maps.example.org/x)",
    )
    response = client_for("member").get(
        reverse("meetings:ics", args=[meeting.space_id, meeting.pk])
    )
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert description.startswith(
        "Good practices of mentoring.\n\n- bring your CV\n- map (https://maps.example.org/x)"
    )
    assert "*" not in description and "](" not in description
