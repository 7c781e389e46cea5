"""Hostile calendar files: refused fast, in bounded memory; confirming writes in batches.

Bounds are on process CPU time and traced memory, generous for a busy machine: what
they catch is minutes of work and hundreds of megabytes, not a slow second.
"""

import time
import tracemalloc
import zoneinfo
from unittest import mock

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import connection
from tandem.meetings import actions
from tandem.meetings.models import CalendarImport, Meeting

from .test_import import GOOD, _assert_refused, _upload

CPU_SECONDS = 8
PEAK_BYTES = 96 * 1024 * 1024


def _calendar(body, zones=""):
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{zones}{body}END:VCALENDAR\r\n"


def _events(count, *, folded=False, zone_of=None, compact=False):
    begin = "BEGIN:VEV\r\n ENT\r\n" if folded else "BEGIN:VEVENT\r\n"
    if compact:  # 15,000 of these fit in a megabyte
        return f"{begin}DTSTART:20261110\r\nEND:VEVENT\r\n" * count
    lines = []
    for n in range(count):
        start = (
            f"DTSTART;TZID={zone_of(n)}:20261110T0900{n % 60:02d}"
            if zone_of
            else "DTSTART:20261110T090000Z"
        )
        lines.append(f"{begin}UID:e{n}\r\n{start}\r\nSUMMARY:e{n}\r\nEND:VEVENT\r\n")
    return "".join(lines)


class Budget:
    """Process CPU time and peak traced memory of the block."""

    def __enter__(self):
        tracemalloc.start()
        self.started = time.process_time()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self.started
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    def check(self, cpu=CPU_SECONDS):
        assert self.cpu < cpu, f"{self.cpu:.1f} s of CPU"
        assert self.peak < PEAK_BYTES, f"{self.peak / 2**20:.0f} MB at peak"


def test_a_folded_begin_line_counts_towards_the_event_limit(world, client_for):
    text = _calendar(_events(501, folded=True))
    with Budget() as budget:
        _assert_refused(world, client_for("tutor"), text, "The file has 501 events")
    budget.check()


def test_fifteen_thousand_folded_events_are_refused_quickly(world, client_for):
    text = _calendar(_events(15000, folded=True, compact=True))
    assert len(text.encode()) < 1024 * 1024
    with Budget() as budget:
        _assert_refused(world, client_for("tutor"), text, "The file has 15000 events")
    budget.check()


def test_a_file_over_a_megabyte_is_dropped_before_it_is_stored(world, client_for):
    padding = "X-FILLER:" + "a" * 70 + "\r\n"
    text = GOOD.replace("END:VCALENDAR", padding * 40000 + "END:VCALENDAR")  # about 3 MB
    with mock.patch.object(
        TemporaryFileUploadHandler, "new_file", autospec=True, side_effect=AssertionError
    ) as to_disk:
        _assert_refused(world, client_for("tutor"), text, "The file is too big")
    assert not to_disk.called


def test_an_unknown_tzid_is_refused_naming_the_zone(world, client_for):
    text = GOOD.replace("DTSTART;TZID=Europe/Brussels:", "DTSTART;TZID=Mars/Olympus_Mons:")
    _assert_refused(world, client_for("tutor"), text, "“Mars/Olympus_Mons” is not one we know")


def test_a_partners_own_zone_definition_is_refused_naming_it(world, client_for):
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Partner Time\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    text = _calendar(_events(1, zone_of=lambda n: "Partner Time"), zones=zone)
    _assert_refused(world, client_for("tutor"), text, "“Partner Time” is not one we know")


def test_many_zone_definitions_are_refused(world, client_for):
    zones = "".join(
        f"BEGIN:VTIMEZONE\r\nTZID:Zone{n}\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        for n in range(2000)
    )
    text = _calendar(_events(10, zone_of=lambda n: f"Zone{n}"), zones=zones)
    with Budget() as budget:
        _assert_refused(world, client_for("tutor"), text, "more than 100 time zones")
    budget.check()


def _five_hundred_in_many_zones():
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return _calendar(_events(500, zone_of=lambda n: zones[n % len(zones)]))


def test_five_hundred_events_in_many_zones_are_checked_and_added_quickly(world, client_for):
    client = client_for("tutor")
    with Budget() as budget:
        response = _upload(client, world, _five_hundred_in_many_zones())
        assert response.status_code == 302
        assert client.post(response["Location"]).status_code == 302
    budget.check(cpu=25)  # 1,000 rows written, under tracemalloc
    assert Meeting.objects.filter(space=world.spaces["group_a"], title__startswith="e").count() == (
        500
    )
    assert len({m.time_zone for m in Meeting.objects.filter(title__startswith="e")}) > 100


@pytest.mark.django_db(transaction=True)
def test_confirming_writes_in_short_transactions(client_for, world):
    client = client_for("tutor")
    location = _upload(client, world, _five_hundred_in_many_zones())["Location"]
    per_commit, written = [], [0]
    real_commit = connection.commit

    def commit():
        per_commit.append(written[0])
        written[0] = 0
        real_commit()

    def count(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "meetings_meeting"'):
            written[0] += 1
        return execute(sql, params, many, context)

    with mock.patch.object(connection, "commit", commit), connection.execute_wrapper(count):
        assert client.post(location).status_code == 302
    assert sum(per_commit) == 500
    assert max(per_commit) <= actions.IMPORT_BATCH


def test_a_confirm_that_stops_midway_says_how_far_it_got_and_resumes(world, client_for):
    client = client_for("tutor")
    location = _upload(client, world, _five_hundred_in_many_zones())["Location"]
    real = actions.schedule_meeting
    calls = [0]

    def failing(**kwargs):
        calls[0] += 1
        if calls[0] == 60:
            raise RuntimeError("the disk is full")
        return real(**kwargs)

    with mock.patch.object(actions, "schedule_meeting", failing), pytest.raises(RuntimeError):
        client.post(location)
    batch = CalendarImport.objects.get(pk=location.rstrip("/").rsplit("/", 1)[1])
    done_before = 2 * actions.IMPORT_BATCH  # the batches before the failing one
    assert batch.applied == done_before and batch.done is None
    assert Meeting.objects.filter(title__startswith="e").count() == done_before
    page = client.get(location).content.decode()
    assert f"The first {done_before} of 500 meetings are already in the calendar" in page
    assert client.post(location).status_code == 302
    assert Meeting.objects.filter(title__startswith="e").count() == 500
    assert Meeting.objects.filter(external_uid="e0").count() == 1
    batch.refresh_from_db()
    assert batch.done is not None and batch.progress["created"] == 500


def test_an_imported_title_and_place_with_line_breaks_are_kept_on_one_line(world, client_for):
    client = client_for("tutor")
    text = GOOD.replace("SUMMARY:Seminar in Gent", "SUMMARY:Seminar\\nBcc: all@example.org")
    text = text.replace("LOCATION:Werkpad\\, Gent", "LOCATION:Werkpad\\nGent")
    assert client.post(_upload(client, world, text)["Location"]).status_code == 302
    seminar = Meeting.objects.get(external_uid="seminar-2026@partner.example")
    assert (seminar.title, seminar.address) == ("Seminar Bcc: all@example.org", "Werkpad Gent")
