"""Scheduling: bad input is refused with a clear error, repeats stay on local time."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from tandem.meetings import actions, queries, recurrence
from tandem.meetings.models import Meeting

HELSINKI = recurrence.zone("Europe/Helsinki")


def _code(error, field):
    return error.value.error_dict[field][0].code


def test_end_before_start_is_refused_and_nothing_is_made(world, schedule):
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as error:
        schedule(start=dt.datetime(2026, 10, 20, 12), end=dt.datetime(2026, 10, 20, 10))
    assert _code(error, "end") == "end_before_start"
    assert Meeting.objects.count() == before


def test_meeting_of_more_than_fourteen_days_is_refused(world, schedule):
    with pytest.raises(ValidationError) as error:
        schedule(start=dt.datetime(2026, 10, 1, 9), end=dt.datetime(2026, 10, 15, 9, 1))
    assert _code(error, "end") == "too_long"


def test_fourteen_day_meeting_is_fine(world, schedule):
    meeting = schedule(start=dt.datetime(2026, 10, 1, 9), end=dt.datetime(2026, 10, 15, 9))
    assert meeting.duration == dt.timedelta(days=14)


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "", "../../etc/passwd", "Helsinki"])
def test_unknown_time_zone_is_refused(world, schedule, zone):
    with pytest.raises(ValidationError) as error:
        schedule(time_zone=zone)
    assert _code(error, "time_zone") == "unknown_time_zone"


def test_repeat_without_end_is_refused(world, schedule):
    with pytest.raises(ValidationError) as error:
        schedule(repeat="weekly")
    assert _code(error, "repeat_until") == "endless_repeat"


def test_repeat_too_many_times_is_refused(world, schedule):
    with pytest.raises(ValidationError) as error:
        schedule(repeat="weekly", repeat_count=5000)
    assert _code(error, "repeat_count") == "too_many_repeats"
    with pytest.raises(ValidationError) as error:
        schedule(repeat="weekly", repeat_until=dt.date(2099, 1, 1))
    assert _code(error, "repeat_until") == "repeat_too_far"


def test_online_link_must_be_a_web_address(world, schedule):
    for link in ["javascript:alert(1)", "ftp://example.org/x", "not a link"]:
        with pytest.raises(ValidationError) as error:
            schedule(online_link=link)
        assert _code(error, "online_link") == "invalid_link"


def test_member_cannot_schedule(world, schedule):
    with pytest.raises(PermissionDenied):
        schedule(actor=world.people["member"])


def test_weekly_session_stays_at_ten_local_across_daylight_saving(world, schedule):
    # Finland leaves summer time on 25 October 2026.
    meeting = schedule(repeat="weekly", repeat_count=4)
    starts = recurrence.original_starts(meeting)
    assert [s.astimezone(HELSINKI).hour for s in starts] == [10, 10, 10, 10]
    assert [s.hour for s in starts] == [7, 8, 8, 8]
    ends = [recurrence.local_end(meeting, s).astimezone(HELSINKI).hour for s in starts]
    assert ends == [12, 12, 12, 12]


def test_spring_change_keeps_local_time_too(world, schedule):
    meeting = schedule(
        start=dt.datetime(2026, 3, 17, 18),
        end=dt.datetime(2026, 3, 17, 19, 30),
        repeat="biweekly",
        repeat_until=dt.date(2026, 4, 30),
    )
    starts = recurrence.original_starts(meeting)
    assert [s.astimezone(HELSINKI).strftime("%m-%d %H:%M") for s in starts] == [
        "03-17 18:00",
        "03-31 18:00",
        "04-14 18:00",
        "04-28 18:00",
    ]
    assert starts[0].hour == 16 and starts[1].hour == 15


def test_monthly_repeats_on_the_same_weekday_of_the_month(world, schedule):
    # 20 October 2026 is the third Tuesday.
    meeting = schedule(repeat="monthly", repeat_count=3)
    days = [s.astimezone(HELSINKI).date() for s in recurrence.original_starts(meeting)]
    assert days == [dt.date(2026, 10, 20), dt.date(2026, 11, 17), dt.date(2026, 12, 15)]
    assert all(day.weekday() == 1 for day in days)


def test_views_expand_only_a_bounded_window(world, schedule):
    meeting = schedule(repeat="weekly", repeat_until=dt.date(2029, 10, 1))
    after = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    shown = recurrence.happenings(meeting, {}, after, after + dt.timedelta(days=31))
    assert 4 <= len(shown) <= 5
    assert all(after <= h.start < after + dt.timedelta(days=31) for h in shown)


def test_create_page_shows_the_error_and_makes_nothing(world, client_for):
    before = Meeting.objects.count()
    response = client_for("tutor").post(
        reverse("meetings:create", args=[world.spaces["group_a"].pk]),
        {
            "title": "Session",
            "kind": "session",
            "start": "2026-10-20T12:00",
            "end": "2026-10-20T10:00",
            "time_zone": "Europe/Helsinki",
        },
    )
    assert response.status_code == 200
    assert "The meeting must end after it starts." in response.content.decode()
    assert Meeting.objects.count() == before


def test_create_page_makes_a_meeting_in_its_own_zone(world, client_for):
    response = client_for("tutor").post(
        reverse("meetings:create", args=[world.spaces["group_a"].pk]),
        {
            "title": "Seminar in Gent",
            "kind": "seminar",
            "start": "2030-11-05T10:00",
            "end": "2030-11-05T16:00",
            "time_zone": "Europe/Brussels",
            "online_link": "https://meet.example.org/gent",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Seminar in Gent")
    assert meeting.start == dt.datetime(2030, 11, 5, 9, tzinfo=dt.UTC)
    assert meeting.uid.endswith("@tandem") and meeting.sequence == 0


def test_every_change_raises_the_sequence(world, schedule):
    meeting = schedule(repeat="weekly", repeat_count=4)
    tutor = world.people["tutor"]
    meeting = actions.update_meeting(
        actor=tutor,
        meeting=meeting,
        title="New title",
        kind="session",
        time_zone="Europe/Helsinki",
        start=dt.datetime(2026, 10, 20, 11),
        end=dt.datetime(2026, 10, 20, 13),
        repeat="weekly",
        repeat_count=4,
    )
    assert meeting.sequence == 1
    actions.cancel_meeting(
        actor=tutor, meeting=meeting, original_start=recurrence.original_starts(meeting)[1]
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 2
    uid = meeting.uid
    actions.cancel_meeting(actor=tutor, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.sequence == 3 and meeting.uid == uid and meeting.is_cancelled


def test_agenda_items_stay_inside_the_meeting(world, schedule):
    meeting = schedule(start=dt.datetime(2026, 10, 20, 9), end=dt.datetime(2026, 10, 22, 16))
    tutor = world.people["tutor"]
    item = actions.add_agenda_item(
        actor=tutor,
        meeting=meeting,
        title="Study visit to the job centre",
        kind="study_visit",
        start=dt.datetime(2026, 10, 21, 9),
        end=dt.datetime(2026, 10, 21, 12),
    )
    assert item.start.astimezone(HELSINKI).hour == 9
    with pytest.raises(ValidationError) as error:
        actions.add_agenda_item(
            actor=tutor,
            meeting=meeting,
            title="Too late",
            kind="other",
            start=dt.datetime(2026, 10, 23, 9),
            end=dt.datetime(2026, 10, 23, 10),
        )
    assert _code(error, "start") == "outside_meeting"


def _form(**fields):
    data = {
        "title": "Seminar in Gent",
        "kind": "seminar",
        "start": "2020-11-10T10:00",
        "end": "2020-11-10T16:00",
        "time_zone": "Europe/Brussels",
        "address": "Werkpad 1, Gent",
    }
    data.update(fields)
    return data


def test_a_meeting_in_the_past_is_asked_about_first_and_the_typed_values_stay(world, client_for):
    client = client_for("tutor")
    url = reverse("meetings:create", args=[world.spaces["group_a"].pk])
    response = client.post(url, _form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "This would start in the past (2020-11-10 10:00)" in page
    assert 'name="confirm_past" value="1"' in page
    assert 'value="2020-11-10T10:00"' in page and 'value="Werkpad 1, Gent"' in page
    assert not Meeting.objects.filter(title="Seminar in Gent").exists()
    assert client.post(url, _form(confirm_past="1")).status_code == 302
    assert Meeting.objects.get(title="Seminar in Gent").start.year == 2020


def test_moving_a_meeting_to_2020_is_asked_about_first(world, client_for, schedule):
    meeting = schedule(start=dt.datetime(2030, 1, 8, 10), end=dt.datetime(2030, 1, 8, 12))
    client = client_for("tutor")
    url = reverse("meetings:edit", args=[meeting.space_id, meeting.pk])
    fields = {"title": meeting.title, "kind": "session", "time_zone": "Europe/Helsinki"}
    moved = {**fields, "start": "2020-01-08T10:00", "end": "2020-01-08T12:00"}
    response = client.post(url, moved)
    assert response.status_code == 200
    assert "This would start in the past (2020-01-08 10:00)" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.start.year == 2030
    assert client.post(url, {**moved, "confirm_past": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.start.year == 2020
    # a meeting already in the past can still be changed without the question
    renamed = {**moved, "title": "Kallio session, notes added"}
    assert client.post(url, renamed).status_code == 302


def test_moving_one_date_into_the_past_is_asked_about_first(world, client_for, schedule):
    meeting = schedule(start=dt.datetime(2030, 1, 8, 10), end=dt.datetime(2030, 1, 8, 12))
    client = client_for("tutor")
    url = reverse("meetings:move", args=[meeting.space_id, meeting.pk])
    times = {"start": "2020-01-08T10:00", "end": "2020-01-08T12:00"}
    response = client.post(url, times)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This would start in the past" in page and 'value="2020-01-08T10:00"' in page
    assert client.post(url, {**times, "confirm_past": "1"}).status_code == 302
    assert queries.happening_of(meeting, meeting.start).start.year == 2020
