"""iCalendar in: a partner's file is checked, shown, then created or updated by UID."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tandem.meetings.models import CalendarImport, Meeting

GOOD = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Partner//Calendar//EN
BEGIN:VEVENT
UID:seminar-2026@partner.example
DTSTAMP:20260901T080000Z
DTSTART;TZID=Europe/Brussels:20261110T093000
DTEND;TZID=Europe/Brussels:20261110T163000
SUMMARY:Seminar in Gent
DESCRIPTION:Good practices of **mentoring**.
LOCATION:Werkpad\\, Gent
END:VEVENT
BEGIN:VEVENT
UID:online-2026@partner.example
DTSTAMP:20260901T080000Z
DTSTART:20261124T120000Z
DURATION:PT1H30M
SUMMARY:Online partner meeting
LOCATION:https://meet.example.org/partners
RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3
END:VEVENT
END:VCALENDAR
"""


def _upload(client, world, text, name="partner.ics"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("meetings:import", args=[world.spaces["group_a"].pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/calendar")},
    )


def _assert_refused(world, client, text, message):
    meetings, batches = Meeting.objects.count(), CalendarImport.objects.count()
    response = _upload(client, world, text)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Meeting.objects.count() == meetings
    assert CalendarImport.objects.count() == batches


def test_good_file_is_shown_then_created(world, client_for):
    client = client_for("tutor")
    response = _upload(client, world, GOOD)
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "Seminar in Gent" in preview and "Online partner meeting" in preview
    assert not Meeting.objects.filter(title="Seminar in Gent").exists()
    assert client.post(response["Location"]).status_code == 302
    seminar = Meeting.objects.get(title="Seminar in Gent")
    assert seminar.time_zone == "Europe/Brussels"
    assert seminar.start == dt.datetime(2026, 11, 10, 8, 30, tzinfo=dt.UTC)
    assert seminar.address == "Werkpad, Gent"
    assert "<strong>mentoring</strong>" in seminar.description_html
    online = Meeting.objects.get(title="Online partner meeting")
    assert online.kind == "online" and online.online_link == "https://meet.example.org/partners"
    assert (online.repeat, online.repeat_count) == ("biweekly", 3)
    assert online.duration == dt.timedelta(minutes=90)


def test_importing_the_same_file_again_updates(world, client_for):
    client = client_for("tutor")
    client.post(_upload(client, world, GOOD)["Location"])
    changed = GOOD.replace("SUMMARY:Seminar in Gent", "SUMMARY:Seminar in Gent (new room)")
    client.post(_upload(client, world, changed)["Location"])
    seminars = Meeting.objects.filter(external_uid="seminar-2026@partner.example")
    assert seminars.count() == 1
    assert seminars.get().title == "Seminar in Gent (new room)"
    assert seminars.get().sequence == 1


def test_a_confirmed_import_cannot_run_twice(world, client_for):
    client = client_for("tutor")
    location = _upload(client, world, GOOD)["Location"]
    client.post(location)
    assert client.post(location).status_code == 404
    assert Meeting.objects.filter(title="Seminar in Gent").count() == 1


def test_not_icalendar_is_refused(world, client_for):
    _assert_refused(
        world, client_for("tutor"), "Name,Date\nSeminar,2026-11-10\n", "not an iCalendar"
    )
    _assert_refused(world, client_for("tutor"), b"\x89PNG\r\n\x1a\n\x00\x00", "not an iCalendar")
    _assert_refused(
        world, client_for("tutor"), "BEGIN:VCALENDAR\nthis is not right", "not an iCalendar"
    )


def test_huge_file_is_refused(world, client_for):
    padding = "X-FILLER:" + "a" * 70 + "\n"
    text = GOOD.replace("END:VCALENDAR", padding * 16000 + "END:VCALENDAR")
    _assert_refused(world, client_for("tutor"), text, "The file is too big")


def test_ten_thousand_events_are_refused(world, client_for):
    event = "BEGIN:VEVENT\nUID:e{n}\nDTSTART:20261110T090000Z\nSUMMARY:x\nEND:VEVENT\n"
    body = "".join(event.format(n=n) for n in range(10000))
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n{body}END:VCALENDAR\n"
    _assert_refused(world, client_for("tutor"), text, "The file has 10000 events")


@pytest.mark.parametrize(
    "field",
    [
        "SUMMARY:<script>alert(1)</script>",
        "DESCRIPTION:<img src=x onerror=alert(1)>",
        "LOCATION:javascript:alert(1)",
        "URL:javascript:alert(document.cookie)",
    ],
)
def test_script_in_fields_is_refused(world, client_for, field):
    text = GOOD.replace("SUMMARY:Seminar in Gent", field)
    _assert_refused(world, client_for("tutor"), text, "contains code")


def test_missing_start_is_refused_naming_the_event(world, client_for):
    text = GOOD.replace("DTSTART;TZID=Europe/Brussels:20261110T093000\n", "")
    _assert_refused(world, client_for("tutor"), text, "has no start time (DTSTART)")


def test_event_ending_before_it_starts_is_refused(world, client_for):
    text = GOOD.replace("DTEND;TZID=Europe/Brussels:20261110T163000", "DTEND:20261101T000000Z")
    _assert_refused(world, client_for("tutor"), text, "must end after it starts")


def test_event_longer_than_fourteen_days_is_refused(world, client_for):
    text = GOOD.replace("DTEND;TZID=Europe/Brussels:20261110T163000", "DTEND:20261201T000000Z")
    _assert_refused(world, client_for("tutor"), text, "at most 14 days")


def test_endless_repeat_imports_the_first_date_only(world, client_for):
    client = client_for("tutor")
    text = GOOD.replace("RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3", "RRULE:FREQ=WEEKLY")
    location = _upload(client, world, text)["Location"]
    assert "only the first date" in client.get(location).content.decode()
    client.post(location)
    assert Meeting.objects.get(title="Online partner meeting").repeat == ""


def test_plain_html_in_a_description_is_made_inert(world, client_for):
    client = client_for("tutor")
    text = GOOD.replace(
        "DESCRIPTION:Good practices of **mentoring**.",
        "DESCRIPTION:<b>Bring</b> your <u>CV</u>",
    )
    client.post(_upload(client, world, text)["Location"])
    seminar = Meeting.objects.get(title="Seminar in Gent")
    assert "<b>" not in seminar.description_html and "<u>" not in seminar.description_html


def test_members_cannot_import(world, client_for):
    assert _upload(client_for("member"), world, GOOD).status_code == 403


def test_importing_an_unchanged_file_changes_nothing(world, client_for):
    client = client_for("tutor")
    client.post(_upload(client, world, GOOD)["Location"])
    client.post(_upload(client, world, GOOD)["Location"])
    seminar = Meeting.objects.get(external_uid="seminar-2026@partner.example")
    assert seminar.sequence == 0


SERIES = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Partner//Calendar//EN
BEGIN:VEVENT
UID:weekly-2026@partner.example
DTSTAMP:20260901T080000Z
DTSTART;TZID=Europe/Brussels:20261006T100000
DTEND;TZID=Europe/Brussels:20261006T120000
SUMMARY:Weekly partner call
LOCATION:https://meet.example.org/weekly
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Europe/Brussels:20261013T100000
EXDATE;TZID=Europe/Brussels:20261201T100000
END:VEVENT
BEGIN:VEVENT
UID:weekly-2026@partner.example
RECURRENCE-ID;TZID=Europe/Brussels:20261020T100000
DTSTAMP:20260901T080000Z
DTSTART;TZID=Europe/Brussels:20261021T140000
DTEND;TZID=Europe/Brussels:20261021T160000
SUMMARY:Weekly partner call (moved)
END:VEVENT
BEGIN:VEVENT
UID:weekly-2026@partner.example
RECURRENCE-ID;TZID=Europe/Brussels:20261027T100000
DTSTAMP:20260901T080000Z
DTSTART;TZID=Europe/Brussels:20261027T100000
DTEND;TZID=Europe/Brussels:20261027T120000
STATUS:CANCELLED
SUMMARY:Weekly partner call
END:VEVENT
END:VCALENDAR
"""


def test_a_partners_moved_and_cancelled_occurrences_come_along(world, client_for):
    from tandem.core.models import AuditEntry
    from tandem.meetings import recurrence
    from tandem.meetings.models import Occurrence

    client = client_for("tutor")
    client.post(_upload(client, world, SERIES)["Location"])
    weekly = Meeting.objects.get(external_uid="weekly-2026@partner.example")
    starts = recurrence.original_starts(weekly)
    assert len(starts) == 5
    changed = {o.original_start: o for o in Occurrence.objects.filter(meeting=weekly)}
    assert changed[starts[1]].cancelled  # EXDATE
    assert changed[starts[3]].cancelled  # STATUS:CANCELLED
    moved = changed[starts[2]]
    assert not moved.cancelled
    assert moved.start == dt.datetime(2026, 10, 21, 12, tzinfo=dt.UTC)  # 14:00 in Brussels
    assert moved.end == dt.datetime(2026, 10, 21, 14, tzinfo=dt.UTC)
    entry = AuditEntry.objects.filter(action="meeting.imported").last()
    assert entry.data["exceptions_left_out"] == 1  # 1 December is not one of the five
    sequence = weekly.sequence
    client.post(_upload(client, world, SERIES)["Location"])  # the same file again
    weekly.refresh_from_db()
    assert weekly.sequence == sequence
    assert Occurrence.objects.filter(meeting=weekly).count() == 3


def test_an_override_takes_the_series_length_and_a_retitled_one_moves_nothing(world, client_for):
    from tandem.meetings import recurrence
    from tandem.meetings.models import Occurrence

    text = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Partner//Calendar//EN
BEGIN:VEVENT
UID:short-2026@partner.example
DTSTAMP:20260901T080000Z
DTSTART:20261006T080000Z
DURATION:PT45M
SUMMARY:Short call
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:short-2026@partner.example
RECURRENCE-ID:20261013T080000Z
DTSTAMP:20260901T080000Z
DTSTART:20261013T090000Z
SUMMARY:Short call, an hour later
END:VEVENT
BEGIN:VEVENT
UID:short-2026@partner.example
RECURRENCE-ID:20261020T080000Z
DTSTAMP:20260901T080000Z
DTSTART:20261020T080000Z
DTEND:20261020T084500Z
SUMMARY:Short call (new title only)
END:VEVENT
END:VCALENDAR
"""
    client = client_for("tutor")
    client.post(_upload(client, world, text)["Location"])
    meeting = Meeting.objects.get(external_uid="short-2026@partner.example")
    starts = recurrence.original_starts(meeting)
    rows = {o.original_start: o for o in Occurrence.objects.filter(meeting=meeting)}
    assert set(rows) == {starts[1]}
    assert rows[starts[1]].start == dt.datetime(2026, 10, 13, 9, tzinfo=dt.UTC)
    assert rows[starts[1]].end == dt.datetime(2026, 10, 13, 9, 45, tzinfo=dt.UTC)
