"""Reminders: once per person and occurrence, only for a yes, as each person wants."""

import datetime as dt
import io
import zoneinfo
from smtplib import SMTPRecipientsRefused

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from tandem.core.models import Notification
from tandem.meetings import actions, recurrence
from tandem.meetings.models import Meeting, MeetingPreference, ReminderSent


@pytest.fixture
def tomorrow(world, schedule):
    start = timezone.now().astimezone(recurrence.zone("Europe/Helsinki")) + dt.timedelta(hours=20)
    start = start.replace(tzinfo=None, second=0, microsecond=0)
    meeting = schedule(start=start, end=start + dt.timedelta(hours=2))
    for role, value in [("member", "yes"), ("counsellor", "no")]:
        actions.answer(
            actor=world.people[role], meeting=meeting, original_start=meeting.start, answer=value
        )
    return meeting


def _run(hours=24):
    out = io.StringIO()
    call_command("send_meeting_reminders", f"--hours={hours}", stdout=out)
    return out.getvalue()


def _reminders(user):
    return Notification.objects.filter(user=user, kind="meeting.reminder")


def test_reminder_goes_once_to_those_who_said_yes(
    world, tomorrow, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminders sent: 1" in _run()
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminders sent: 0" in _run()
    assert _reminders(world.people["member"]).count() == 1
    assert not _reminders(world.people["counsellor"]).exists()
    assert [m.to for m in mailoutbox] == [["member@example.org"]]
    assert tomorrow.title in mailoutbox[0].subject


def test_meetings_further_away_wait(world, tomorrow):
    assert "Reminders sent: 0" in _run(hours=2)


def test_person_who_turned_reminders_off_gets_none(world, tomorrow):
    actions.set_preferences(actor=world.people["member"], reminders=False, email_reminders=False)
    _run()
    assert not _reminders(world.people["member"]).exists()


def test_in_app_only_when_e_mail_is_off(
    world, tomorrow, mailoutbox, django_capture_on_commit_callbacks
):
    MeetingPreference.objects.create(user=world.people["member"], email_reminders=False)
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    assert _reminders(world.people["member"]).count() == 1
    assert mailoutbox == []


def test_cancelled_occurrence_is_not_reminded(world, tomorrow):
    actions.cancel_meeting(actor=world.people["tutor"], meeting=tomorrow)
    assert "Reminders sent: 0" in _run()


def test_reminder_follows_a_moved_occurrence(world, tomorrow):
    tz = recurrence.zone("Europe/Helsinki")
    later = (tomorrow.start + dt.timedelta(days=3)).astimezone(tz).replace(tzinfo=None)
    actions.move_occurrence(
        actor=world.people["tutor"],
        meeting=tomorrow,
        original_start=tomorrow.start,
        start=later,
        end=later + dt.timedelta(hours=1),
    )
    assert "Reminders sent: 0" in _run()
    _run(hours=24 * 4)
    assert ReminderSent.objects.filter(meeting=tomorrow, user=world.people["member"]).count() == 1


def test_a_title_with_line_breaks_is_mailed_on_one_line(
    world, tomorrow, mailoutbox, django_capture_on_commit_callbacks
):
    # stored before titles were kept on one line, or by a partner's file
    Meeting.objects.filter(pk=tomorrow.pk).update(title="Kallio\r\nBcc: all@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminders sent: 1" in _run()
    (message,) = mailoutbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Kallio Bcc: all@example.org" in message.subject
    assert message.message()["Bcc"] is None


def test_a_failing_recipient_stops_nobody_and_gets_the_mail_next_run(
    world, tomorrow, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    actions.answer(
        actor=world.people["counsellor"],
        meeting=tomorrow,
        original_start=tomorrow.start,
        answer="yes",
    )
    refused = world.people["member"].email
    real = EmailBackend.send_messages

    def send_messages(self, messages):
        if any(refused in m.to for m in messages):
            raise SMTPRecipientsRefused({refused: (451, b"try again later")})
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminders sent: 2" in _run()
    assert [m.to for m in mailoutbox] == [[world.people["counsellor"].email]]
    pending = ReminderSent.objects.get(user=world.people["member"])
    assert pending.email_pending
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminders sent: 0" in _run()
    assert [m.to for m in mailoutbox][1:] == [[refused]]
    assert not ReminderSent.objects.filter(email_pending=True).exists()
    assert _reminders(world.people["member"]).count() == 1  # the in-app one is not repeated
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    assert len(mailoutbox) == 2


def test_meeting_titles_and_places_are_kept_on_one_line(world, schedule):
    meeting = schedule(title="Kallio\r\nsession", address="Kallio library\n2nd floor")
    assert (meeting.title, meeting.address) == ("Kallio session", "Kallio library 2nd floor")


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", lambda t: f"{t:%d/%m/%Y %H:%M}"),
        ("fi", lambda t: f"{t.day}.{t.month}.{t.year} {t.hour}.{t:%M}"),
    ],
)
def test_reminder_gives_the_time_in_the_persons_zone_and_formats(
    language, written, world, tomorrow, mailoutbox, django_capture_on_commit_callbacks
):
    member = world.people["member"]
    member.interface_language = language
    member.time_zone = "Europe/Lisbon"  # two hours behind the meeting's Helsinki
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    local = tomorrow.start.astimezone(zoneinfo.ZoneInfo("Europe/Lisbon"))
    assert written(local) in _reminders(member).get().text
    assert written(local) in mailoutbox[0].body
