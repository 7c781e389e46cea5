"""Facts the browser tests need about the demo meetings, and a session going on now."""

import datetime as dt

from django.utils import timezone


def prepare(data):
    from tandem.meetings import actions, recurrence
    from tandem.meetings.models import Meeting

    weekly = Meeting.objects.get(external_uid="demo-weekly-session")
    seminar = Meeting.objects.get(external_uid="demo-transnational-seminar")
    online = Meeting.objects.get(external_uid="demo-online-meeting")
    tz = recurrence.zone("Europe/Helsinki")
    start = (timezone.now() - dt.timedelta(minutes=30)).astimezone(tz)
    start = start.replace(tzinfo=None, second=0, microsecond=0)
    now_on = actions.schedule_meeting(
        actor=data["demo"]["people"]["tutor"],
        space=data["demo"]["group"],
        title="Drop-in: help with CVs",
        kind=Meeting.Kind.SESSION,
        time_zone="Europe/Helsinki",
        start=start,
        end=start + dt.timedelta(hours=2),
        address="Kallio library, Helsinki",
    )
    data["meetings"] = {
        "weekly": weekly.pk,
        "seminar": seminar.pk,
        "online": online.pk,
        "now_on": now_on.pk,
        "this_month": timezone.now().strftime("%Y-%m"),
        "seminar_month": seminar.start.strftime("%Y-%m"),
    }
