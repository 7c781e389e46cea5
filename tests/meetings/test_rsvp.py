"""Answers, the waiting list, needs, check-in, attendance and closing."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from tandem.core.models import Notification
from tandem.meetings import actions, queries, recurrence
from tandem.meetings.models import CheckIn, Rsvp
from tandem.spaces.models import Membership, Role


def _soon(days=5, hour=10):
    today = timezone.now().astimezone(recurrence.zone("Europe/Helsinki")).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour))


@pytest.fixture
def people(world, django_user_model):
    """Three more members of group A."""
    extra = []
    for name in ("aziz", "bea", "chen"):
        user = django_user_model.objects.create_user(username=name, display_name=name.title())
        Membership.objects.create(space=world.spaces["group_a"], user=user, role=Role.MEMBER)
        extra.append(user)
    return extra


@pytest.fixture
def small(schedule):
    return schedule(start=_soon(), end=_soon(hour=12), capacity=2)


@pytest.fixture
def now_on(schedule):
    """A meeting that began half an hour ago."""
    tz = recurrence.zone("Europe/Helsinki")
    start = (timezone.now() - dt.timedelta(minutes=30)).astimezone(tz)
    start = start.replace(tzinfo=None, second=0, microsecond=0)
    return schedule(start=start, end=start + dt.timedelta(hours=2))


def _answer(meeting, user, value, **needs):
    return actions.answer(
        actor=user, meeting=meeting, original_start=meeting.start, answer=value, needs=needs
    )


def test_yes_to_a_full_meeting_waits(world, small, people):
    aziz, bea, chen = people
    assert not _answer(small, aziz, "yes").is_waiting
    assert not _answer(small, bea, "yes").is_waiting
    assert _answer(small, chen, "yes").is_waiting


def test_first_waiting_gets_the_place_and_is_told(
    world, small, people, django_capture_on_commit_callbacks
):
    aziz, bea, chen = people
    member = world.people["member"]
    _answer(small, aziz, "yes")
    _answer(small, bea, "yes")
    _answer(small, chen, "yes")
    _answer(small, member, "yes")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(small, bea, "no")
    places = Rsvp.objects.filter(meeting=small, answer="yes", waiting_since__isnull=True)
    assert set(places.values_list("user__username", flat=True)) == {"aziz", "chen"}
    assert Rsvp.objects.get(meeting=small, user=member).is_waiting
    assert Notification.objects.filter(user=chen, kind="meeting.place").count() == 1
    assert not Notification.objects.filter(user=member, kind="meeting.place").exists()


def test_changing_needs_keeps_the_place(world, small, people):
    aziz, bea, chen = people
    _answer(small, aziz, "yes")
    _answer(small, bea, "yes")
    _answer(small, chen, "yes")
    rsvp = _answer(small, aziz, "yes", childcare=True)
    assert not rsvp.is_waiting and rsvp.childcare


def test_more_places_let_those_waiting_in(world, small, people):
    _aziz, _bea, chen = people
    for person in people:
        _answer(small, person, "yes")
    tz = recurrence.zone(small.time_zone)
    actions.update_meeting(
        actor=world.people["tutor"],
        meeting=small,
        title=small.title,
        kind=small.kind,
        time_zone=small.time_zone,
        start=small.start.astimezone(tz).replace(tzinfo=None),
        end=small.end.astimezone(tz).replace(tzinfo=None),
        capacity=3,
    )
    assert not Rsvp.objects.get(meeting=small, user=chen).is_waiting


def test_cannot_answer_for_an_occurrence_that_does_not_exist(world, small):
    with pytest.raises(ValidationError) as error:
        actions.answer(
            actor=world.people["member"],
            meeting=small,
            original_start=small.start + dt.timedelta(hours=1),
            answer="yes",
        )
    assert error.value.code == "no_such_occurrence"


def test_coordinator_of_the_organisation_does_not_answer(world, small):
    with pytest.raises(PermissionDenied):
        _answer(small, world.people["coordinator"], "yes")


def test_needs_are_seen_by_organisers_only(world, small, people, client_for):
    _answer(small, people[0], "yes", interpreter=True, interpreter_language="Dari")
    _answer(small, world.people["member"], "yes")
    url = reverse("meetings:detail", args=[small.space_id, small.pk])
    attendance = reverse("meetings:attendance", args=[small.space_id, small.pk])
    assert "Dari" not in client_for("member").get(url).content.decode()
    assert client_for("member").get(attendance).status_code == 403
    assert "Dari" in client_for("tutor").get(attendance).content.decode()
    assert "has needs" in client_for("counsellor").get(url).content.decode()


def test_check_in_with_the_code_is_the_attendance(world, now_on, people):
    tutor, member = world.people["tutor"], world.people["member"]
    occurrence = actions.open_check_in(actor=tutor, meeting=now_on, original_start=now_on.start)
    code = occurrence.check_in_code
    assert len(code) == 6
    with pytest.raises(ValidationError):
        actions.check_in(actor=member, meeting=now_on, original_start=now_on.start, code="WRONG1")
    actions.check_in(
        actor=member,
        meeting=now_on,
        original_start=now_on.start,
        code=code.lower()[:3] + " " + code[3:],
    )
    actions.check_in(actor=member, meeting=now_on, original_start=now_on.start, code=code)
    actions.mark_attendance(
        actor=tutor,
        meeting=now_on,
        original_start=now_on.start,
        user_id=people[0].pk,
        present=True,
    )
    rows = queries.attendance_for(now_on, now_on.start)
    assert [(r.user.username, r.how) for r in rows] == [("aziz", "organiser"), ("member", "code")]


def test_check_in_page_from_the_phone(world, now_on, client_for):
    occurrence = actions.open_check_in(
        actor=world.people["tutor"], meeting=now_on, original_start=now_on.start
    )
    url = reverse("meetings:check_in", args=[now_on.space_id, now_on.pk])
    client = client_for("member")
    page = client.get(url, {"code": occurrence.check_in_code}).content.decode()
    assert occurrence.check_in_code in page
    bad = client.post(url, {"code": "NOPE"})
    assert "This code does not work" in bad.content.decode()
    assert not CheckIn.objects.filter(meeting=now_on).exists()
    assert client.post(url, {"code": occurrence.check_in_code}).status_code == 302
    assert CheckIn.objects.filter(meeting=now_on, user=world.people["member"]).exists()


def test_qr_code_is_an_svg_of_the_check_in_link(world, small, client_for):
    actions.open_check_in(actor=world.people["tutor"], meeting=small, original_start=small.start)
    response = client_for("tutor").get(
        reverse("meetings:check_in_qr", args=[small.space_id, small.pk])
    )
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_organiser_ticks_who_is_there(world, small, people, client_for):
    url = reverse("meetings:attendance", args=[small.space_id, small.pk])
    client = client_for("tutor")
    client.post(url, {"present": [people[0].pk, people[1].pk]})
    assert {r.user for r in queries.attendance_for(small, small.start)} == set(people[:2])
    client.post(url, {"present": [people[1].pk]})
    assert [r.user for r in queries.attendance_for(small, small.start)] == [people[1]]


def test_the_attendance_list_is_saved_in_a_fixed_number_of_queries(
    world, small, people, client_for, django_user_model
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from tandem.core.models import AuditEntry

    url = reverse("meetings:attendance", args=[small.space_id, small.pk])
    client = client_for("tutor")
    client.post(url, {"present": []})
    with CaptureQueriesContext(connection) as few:
        client.post(url, {"present": [people[0].pk]})
    for i in range(8):
        user = django_user_model.objects.create_user(username=f"extra{i}")
        Membership.objects.create(space=small.space, user=user, role=Role.MEMBER)
    everyone = Membership.objects.filter(space=small.space, role=Role.MEMBER)
    ids = [m.user_id for m in everyone] + [world.people["outsider"].pk, "x"]
    with CaptureQueriesContext(connection) as many:
        client.post(url, {"present": ids})
    marked = AuditEntry.objects.filter(action="meeting.attendance_marked").count()
    assert len(many.captured_queries) <= len(few.captured_queries) + marked  # one audit row each
    present = {r.user_id for r in queries.attendance_for(small, small.start)}
    assert world.people["outsider"].pk not in present
    assert present == {m.user_id for m in everyone}


def test_attendance_csv_opens_in_spreadsheets(world, small, django_user_model, client_for):
    tricky = django_user_model.objects.create_user(username="eve", display_name="=HYPERLINK(1)")
    Membership.objects.create(space=small.space, user=tricky, role=Role.MEMBER)
    _answer(small, tricky, "yes", interpreter=True, interpreter_language="Tigrinya")
    actions.mark_attendance(
        actor=world.people["tutor"],
        meeting=small,
        original_start=small.start,
        user_id=tricky.pk,
        present=True,
    )
    response = client_for("tutor").get(
        reverse("meetings:attendance_csv", args=[small.space_id, small.pk])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "Tigrinya" in text


def test_close_with_minutes_after_the_meeting(world, schedule):
    past = schedule(start=_soon(days=-1), end=_soon(days=-1, hour=12))
    tutor = world.people["tutor"]
    CheckIn.objects.create(
        meeting=past, occurrence=past.start, user=world.people["member"], how="code"
    )
    occurrence = actions.close_occurrence(
        actor=tutor, meeting=past, original_start=past.start, minutes="We talked about **CVs**."
    )
    assert occurrence.attendee_count == 1
    assert "<strong>CVs</strong>" in occurrence.minutes_html


def test_cannot_close_a_meeting_before_it_begins(world, small):
    with pytest.raises(ValidationError) as error:
        actions.close_occurrence(
            actor=world.people["tutor"], meeting=small, original_start=small.start, minutes=""
        )
    assert error.value.code == "not_started"


def test_moving_and_cancelling_tells_those_who_said_yes(
    world, schedule, people, django_capture_on_commit_callbacks, mailoutbox
):
    weekly = schedule(start=_soon(), end=_soon(hour=12), repeat="weekly", repeat_count=4)
    second = recurrence.original_starts(weekly)[1]
    aziz, bea, _chen = people
    actions.answer(actor=aziz, meeting=weekly, original_start=second, answer="yes")
    actions.answer(actor=bea, meeting=weekly, original_start=second, answer="no")
    aziz.email = "aziz@example.org"
    aziz.save()
    tutor = world.people["tutor"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.move_occurrence(
            actor=tutor,
            meeting=weekly,
            original_start=second,
            start=_soon(days=8, hour=14),
            end=_soon(days=8, hour=16),
        )
    assert Notification.objects.filter(user=aziz, kind="meeting.moved").count() == 1
    assert not Notification.objects.filter(user=bea).exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["aziz@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_meeting(actor=tutor, meeting=weekly, original_start=second)
    assert Notification.objects.filter(user=aziz, kind="meeting.cancelled").count() == 1


def test_change_notices_are_in_each_persons_language(
    world, schedule, people, django_capture_on_commit_callbacks, mailoutbox
):
    meeting = schedule(start=_soon(), end=_soon(hour=12))
    aziz, bea, _chen = people
    for person, language in ((aziz, "ar"), (bea, "fi")):
        person.interface_language = language
        person.email = f"{person.username}@example.org"
        person.save()
        actions.answer(actor=person, meeting=meeting, original_start=meeting.start, answer="yes")
    english = f"“{meeting.title}” is cancelled."
    expected = {}
    for language in ("ar", "fi"):
        with translation.override(language):
            expected[language] = gettext("“%(title)s” is cancelled.") % {"title": meeting.title}
        assert expected[language] != english
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_meeting(actor=world.people["tutor"], meeting=meeting)
    assert Notification.objects.get(user=aziz).text == expected["ar"]
    assert Notification.objects.get(user=bea).text == expected["fi"]
    subjects = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert subjects == {aziz.email: expected["ar"], bea.email: expected["fi"]}


def test_answer_page_saves_and_reports_the_waiting_list(world, schedule, people, client_for):
    full = schedule(start=_soon(), end=_soon(hour=12), capacity=1)
    _answer(full, people[0], "yes")
    url = reverse("meetings:rsvp", args=[full.space_id, full.pk])
    response = client_for("member").post(url, {"answer": "yes", "childcare": "on"}, follow=True)
    assert "waiting list" in response.content.decode()
    rsvp = Rsvp.objects.get(meeting=full, user=world.people["member"])
    assert rsvp.is_waiting and rsvp.childcare


def test_check_in_code_works_only_around_the_meeting(world, small):
    occurrence = actions.open_check_in(
        actor=world.people["tutor"], meeting=small, original_start=small.start
    )
    with pytest.raises(ValidationError) as error:
        actions.check_in(
            actor=world.people["member"],
            meeting=small,
            original_start=small.start,
            code=occurrence.check_in_code,
        )
    assert error.value.code == "check_in_closed"
    assert not CheckIn.objects.filter(meeting=small).exists()


@pytest.fixture
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_guessing_check_in_codes_is_slowed_down(
    world, now_on, client_for, fresh_counters, one_rate_window
):
    url = reverse("meetings:check_in", args=[now_on.space_id, now_on.pk])
    client = client_for("member")
    statuses = [client.post(url, {"code": f"GUESS{i}"}).status_code for i in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
