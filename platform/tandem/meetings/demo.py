"""Demo meetings: the peer group's weekly sessions, a transnational seminar with
its agenda, and an online meeting between partners. Safe to run again."""

import datetime as dt

from django.utils import timezone

from . import actions, recurrence
from .models import Meeting


def _day(zone, days, hour, minute=0):
    """A wall-clock time ``days`` from today in ``zone``."""
    today = timezone.now().astimezone(recurrence.zone(zone)).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute))


def _once(space, key, make):
    existing = Meeting.objects.filter(space=space, external_uid=key).first()
    if existing:
        return existing, False
    meeting = make()
    Meeting.objects.filter(pk=meeting.pk).update(external_uid=key)
    return meeting, True


def seed(demo):
    people, group, practice = demo["people"], demo["group"], demo["practice"]
    tutor, coordinator = people["tutor"], people["coordinator"]
    helsinki = "Europe/Helsinki"
    today = timezone.now().astimezone(recurrence.zone(helsinki)).date()
    # The Tuesday two weeks ago, so the calendar shows past and coming sessions.
    tuesday = (today.weekday() - 1) % 7 + 14

    weekly, created = _once(
        group,
        "demo-weekly-session",
        lambda: actions.schedule_meeting(
            actor=tutor,
            space=group,
            title="Tuesday group: work, language and courses",
            description=(
                "Our weekly session. Bring your questions about **work**, *language* "
                "and courses. Tea and coffee."
            ),
            kind=Meeting.Kind.SESSION,
            time_zone=helsinki,
            start=_day(helsinki, -tuesday, 17),
            end=_day(helsinki, -tuesday, 19),
            address="Kallio library, Viides linja 11, Helsinki",
            languages="Finnish, English, Arabic",
            capacity=12,
            repeat=Meeting.Repeat.WEEKLY,
            repeat_count=16,
        ),
    )
    if created:
        starts = recurrence.original_starts(weekly)
        coming = [s for s in starts if s > timezone.now()]
        for username, needs in [
            ("yusuf", {"interpreter": True, "interpreter_language": "Arabic"}),
            ("olena", {"childcare": True}),
            ("hodan", {}),
            ("counsellor", {}),
        ]:
            actions.answer(
                actor=people[username],
                meeting=weekly,
                original_start=coming[0],
                answer="yes",
                needs=needs,
            )
        actions.answer(
            actor=people["reza"], meeting=weekly, original_start=coming[0], answer="maybe"
        )
        if len(coming) > 3:
            actions.cancel_meeting(actor=tutor, meeting=weekly, original_start=coming[3])

    stockholm = "Europe/Stockholm"
    seminar, created = _once(
        practice,
        "demo-transnational-seminar",
        lambda: actions.schedule_meeting(
            actor=coordinator,
            space=practice,
            title="Transnational meeting in Malmö",
            description=(
                "Three days with the partners: a seminar on peer groups, a study visit, "
                "a learning café and a reflection round at the end."
            ),
            kind=Meeting.Kind.TRANSNATIONAL,
            time_zone=stockholm,
            start=_day(stockholm, 21, 9),
            end=_day(stockholm, 23, 15),
            address="Arbetsvägen, Stortorget 1, Malmö",
            languages="English",
            capacity=30,
        ),
    )
    if created:
        for days, start, end, kind, title in [
            (21, (9, 30), (12, 0), "seminar", "Seminar: peer groups guided in pairs"),
            (21, (13, 30), (16, 0), "learning_cafe", "Learning café: our good practices"),
            (22, (9, 0), (12, 30), "study_visit", "Study visit: Malmö job centre"),
            (23, (9, 0), (11, 0), "seminar", "Seminar: recognising tutors' work"),
            (23, (11, 30), (14, 30), "reflection", "Reflection round"),
        ]:
            actions.add_agenda_item(
                actor=coordinator,
                meeting=seminar,
                title=title,
                kind=kind,
                start=_day(stockholm, days, *start),
                end=_day(stockholm, days, *end),
            )

    brussels = "Europe/Brussels"
    _once(
        practice,
        "demo-online-meeting",
        lambda: actions.schedule_meeting(
            actor=coordinator,
            space=practice,
            title="Online partner meeting: preparing Malmö",
            kind=Meeting.Kind.ONLINE,
            time_zone=brussels,
            start=_day(brussels, 7, 14),
            end=_day(brussels, 7, 15, 30),
            online_link="https://meet.example.org/tandem-partners",
            languages="English, French",
        ),
    )
