"""Where a session log meets the calendar: prefill from a meeting and its check-ins.

Reads only ``tandem.meetings``' queries; the log keeps the meeting's id and
the occurrence's original start, and stands on its own afterwards.
"""

import datetime as dt

from django.utils import timezone

from tandem.spaces.models import Membership, Role

RECENT_DAYS = 21


def parse(meeting, occurrence_key):
    from tandem.meetings import recurrence

    if not meeting:
        return None, None
    return int(meeting), recurrence.parse_key(occurrence_key or "")


def recent(space, user):
    """Past occurrences of the group's meetings, newest first, to start a log from.

    Occurrences the person already logged are left out.
    """
    from tandem.meetings import queries

    from .models import SessionLog

    now = timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    happenings = queries.space_window(space, since, now)
    logged = set(
        SessionLog.objects.filter(
            tutor_id=user.pk,
            space=space,
            meeting_id__isnull=False,
            meeting_occurrence__gte=since - dt.timedelta(days=1),
        ).values_list("meeting_id", "meeting_occurrence")
    )
    return [
        h
        for h in reversed(happenings)
        if h.end <= now and not h.cancelled and (h.meeting.pk, h.original_start) not in logged
    ][:6]


def prefill(space, meeting_id, occurrence_key):
    """Initial form values from one occurrence: its times and who checked in."""
    from tandem.meetings import queries, recurrence
    from tandem.meetings.models import Meeting

    if not meeting_id:
        return {}
    try:
        meeting = Meeting.objects.get(pk=int(meeting_id), space=space)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        return {}
    original = recurrence.parse_key(occurrence_key or "")
    if original is None or original not in recurrence.original_starts(meeting, original, original):
        return {}
    happening = queries.happening_of(meeting, original)
    start, end = timezone.localtime(happening.start), timezone.localtime(happening.end)
    members = set(
        Membership.objects.filter(space=space, role=Role.MEMBER).values_list("user_id", flat=True)
    )
    present = [row.user_id for row in queries.attendance_for(meeting, original)]
    return {
        "meeting": meeting.pk,
        "occurrence": recurrence.key_of(original),
        "meeting_title": meeting.title,
        "date": start.date(),
        "start_time": start.time().replace(second=0, microsecond=0),
        "end_time": end.time().replace(second=0, microsecond=0),
        "attendees": [uid for uid in present if uid in members],
    }
