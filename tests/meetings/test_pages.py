"""The calendar pages: constant queries, times in both zones, shared page hooks."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tandem.meetings import actions, recurrence
from tandem.spaces.models import Membership, Role


def _month_of(meeting):
    return meeting.start.astimezone(recurrence.zone("Europe/Helsinki")).strftime("%Y-%m")


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _fill(world, schedule, n, django_user_model, prefix):
    """``n`` weekly meetings with moves, cancellations, answers and agenda items."""
    member = world.people["member"]
    tutor = world.people["tutor"]
    made = []
    for i in range(n):
        meeting = schedule(
            title=f"{prefix} {i}",
            start=dt.datetime(2026, 10, 5 + i % 20, 9 + i % 8),
            end=dt.datetime(2026, 10, 5 + i % 20, 10 + i % 8),
            repeat="weekly",
            repeat_count=6,
        )
        starts = recurrence.original_starts(meeting)
        actions.cancel_meeting(actor=tutor, meeting=meeting, original_start=starts[1])
        actions.move_occurrence(
            actor=tutor,
            meeting=meeting,
            original_start=starts[2],
            start=dt.datetime(2026, 10, 27, 15),
            end=dt.datetime(2026, 10, 27, 16),
        )
        from tandem.meetings.models import Rsvp

        Rsvp.objects.create(meeting=meeting, occurrence=starts[0], user=member, answer="yes")
        made.append(meeting)
    return made


@pytest.mark.parametrize(
    "url_name", ["meetings:calendar", "meetings:mine"], ids=["calendar", "my-calendar"]
)
def test_calendar_pages_use_constant_queries(
    world, schedule, client_for, django_user_model, django_assert_num_queries, url_name
):
    client = client_for("member")
    args = [world.spaces["group_a"].pk] if url_name == "meetings:calendar" else []
    url = reverse(url_name, args=args)
    _fill(world, schedule, 2, django_user_model, "small")
    small = _count(client, url, {"month": "2026-10"})
    _fill(world, schedule, 12, django_user_model, "big")
    body = client.get(url, {"month": "2026-10"}).content.decode()
    assert body.count("big 11") >= 4  # the grid and the list both show it
    with django_assert_num_queries(small):
        client.get(url, {"month": "2026-10"})


@time_machine.travel(
    dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC), tick=True
)  # RSVPs need a future seminar
def test_meeting_page_with_its_agenda_uses_constant_queries(
    world, schedule, client_for, django_user_model, django_assert_num_queries
):
    meeting = schedule(
        title="Transnational seminar",
        kind="transnational",
        start=dt.datetime(2026, 12, 1, 9),
        end=dt.datetime(2026, 12, 3, 16),
    )
    url = reverse("meetings:detail", args=[meeting.space_id, meeting.pk])
    client = client_for("tutor")

    def grow(n, start):
        for i in range(n):
            actions.add_agenda_item(
                actor=world.people["tutor"],
                meeting=meeting,
                title=f"Item {start + i}",
                kind="seminar",
                start=dt.datetime(2026, 12, 1, 9, i),
                end=dt.datetime(2026, 12, 1, 10, i),
            )
            user = django_user_model.objects.create_user(username=f"p{start + i}")
            Membership.objects.create(space=meeting.space, user=user, role=Role.MEMBER)
            actions.answer(
                actor=user,
                meeting=meeting,
                original_start=meeting.start,
                answer="yes",
                needs={"childcare": True},
            )

    grow(2, 0)
    small = _count(client, url)
    grow(10, 2)
    with django_assert_num_queries(small):
        body = client.get(url).content.decode()
    assert "Item 11" in body


def test_dashboard_section_uses_constant_queries(
    world, schedule, client_for, django_user_model, django_assert_num_queries
):
    client = client_for("member")
    soon = timezone.now().astimezone(recurrence.zone("Europe/Helsinki")).replace(tzinfo=None)
    soon = soon.replace(second=0, microsecond=0) + dt.timedelta(days=1)
    schedule(title="First soon", start=soon, end=soon + dt.timedelta(hours=1))
    small = _count(client, reverse("dashboard"))
    for i in range(8):
        start = soon + dt.timedelta(hours=2 + i)
        schedule(
            title=f"Soon {i}",
            start=start,
            end=start + dt.timedelta(hours=1),
            repeat="weekly",
            repeat_count=3,
        )
    with django_assert_num_queries(small):
        body = client.get(reverse("dashboard")).content.decode()
    assert "Next meetings" in body and "First soon" in body


def test_times_show_the_meeting_zone_beside_the_viewers(world, schedule, client_for):
    tutor = world.people["tutor"]
    tutor.time_zone = "Europe/Brussels"
    tutor.save()
    meeting = schedule(start=dt.datetime(2026, 11, 10, 10), end=dt.datetime(2026, 11, 10, 12))
    url = reverse("meetings:detail", args=[meeting.space_id, meeting.pk])
    body = client_for("tutor").get(url).content.decode()
    assert 'Tue 10 Nov 10:00 Helsinki</time> · <span class="your-time">09:00 your time' in body
    assert '12:00 Helsinki</time> · <span class="your-time">11:00 your time' in body
    same = client_for("counsellor").get(url).content.decode()
    assert "your-time" not in same and "10:00</time>" in same


def test_space_menu_links_to_the_meetings(world, client_for):
    space = world.spaces["group_a"]
    body = client_for("member").get(reverse("spaces:home", args=[space.pk])).content.decode()
    assert reverse("meetings:calendar", args=[space.pk]) in body


def test_calendar_grid_and_agenda_list_are_both_rendered(world, client_for):
    meeting = world.objects["meeting_a"]
    body = (
        client_for("member")
        .get(
            reverse("meetings:calendar", args=[meeting.space_id]),
            {"month": _month_of(meeting)},
        )
        .content.decode()
    )
    assert 'class="month-grid"' in body and 'class="agenda-list"' in body
    assert meeting.title in body


def test_bad_month_falls_back_to_this_month(world, client_for):
    url = reverse("meetings:calendar", args=[world.spaces["group_a"].pk])
    for month in ["nonsense", "2026-13", "99999-01", "-1-1"]:
        assert client_for("member").get(url, {"month": month}).status_code == 200


def test_unknown_occurrence_is_not_found(world, client_for):
    meeting = world.objects["meeting_a"]
    url = reverse("meetings:detail", args=[meeting.space_id, meeting.pk])
    assert client_for("member").get(url, {"on": "20200101T000000Z"}).status_code == 404
    assert client_for("member").get(url, {"on": "garbage"}).status_code == 404


def test_meeting_of_another_space_is_not_found_through_this_one(world, client_for):
    other = world.objects["meeting_b"]
    url = reverse("meetings:detail", args=[world.spaces["group_a"].pk, other.pk])
    assert client_for("member").get(url).status_code == 404


def test_space_home_shows_its_next_meetings_with_constant_queries(
    world, schedule, client_for, django_assert_num_queries
):
    space = world.spaces["group_a"]
    url = reverse("spaces:home", args=[space.pk])
    client = client_for("member")
    small = _count(client, url)
    soon = timezone.now().astimezone(recurrence.zone("Europe/Helsinki")).replace(tzinfo=None)
    soon = soon.replace(second=0, microsecond=0) + dt.timedelta(hours=3)
    for i in range(6):
        start = soon + dt.timedelta(hours=i)
        schedule(title=f"Soon {i}", start=start, end=start + dt.timedelta(minutes=50))
    with django_assert_num_queries(small):
        body = client.get(url).content.decode()
    assert "Next meetings" in body and "Soon 0" in body and "Soon 5" not in body
