"""Reads of meetings: access fetchers, calendar windows, attendance."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import OrganisationRole
from tandem.spaces.models import Membership, Space
from tandem.spaces.permissions import Perm, can
from tandem.spaces.queries import access_space

from . import recurrence
from .models import CheckIn, FeedToken, Meeting, Occurrence, Rsvp


def access_meeting(user, space_id, meeting_id, perm=Perm.VIEW_MEETINGS):
    """The space and one of its meetings, if ``user`` may do ``perm`` there.

    Raises Http404 for people with no part in the space and for meetings of
    other spaces; PermissionDenied for members without the permission.
    """
    space = access_space(user, space_id, Perm.VIEW_MEETINGS)
    if perm != Perm.VIEW_MEETINGS and not can(user, perm, space):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    try:
        meeting = Meeting.objects.select_related("organiser").get(pk=meeting_id, space=space)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    meeting.space = space
    return space, meeting


def pick_occurrence(meeting, key, now=None):
    """The occurrence named by ``key``, else the next one (or the last one)."""
    if key:
        original = recurrence.parse_key(key)
        if original is None or original not in recurrence.original_starts(
            meeting, original, original
        ):
            raise Http404
        return original
    if not meeting.repeat:
        return meeting.start
    now = now or timezone.now()
    upcoming = recurrence.original_starts(
        meeting, now - meeting.duration, now + dt.timedelta(days=400)
    )
    if upcoming:
        return upcoming[0]
    every = recurrence.original_starts(meeting)
    return every[-1] if every else meeting.start


def happening_of(meeting, original_start):
    override = Occurrence.objects.filter(meeting=meeting, original_start=original_start).first()
    return recurrence.apply_override(meeting, original_start, override)


def viewable_spaces(user):
    """Ids of spaces whose meetings the person sees (not archived)."""
    coordinated = OrganisationRole.objects.filter(
        user_id=user.pk, role=OrganisationRole.Role.COORDINATOR
    ).values("organisation_id")
    return Space.objects.filter(
        Q(pk__in=Membership.objects.filter(user_id=user.pk).values("space_id"))
        | Q(organisation_id__in=coordinated),
        archived=False,
    )


def window(meetings, after, before, user=None):
    """Occurrences of ``meetings`` (a queryset) overlapping [after, before).

    Three queries whatever the size: meetings, their overrides, and the
    person's own answers.
    """
    rows = list(meetings.filter(span_start__lt=before, span_end__gt=after).select_related("space"))
    by_meeting = defaultdict(dict)
    if rows:
        for override in Occurrence.objects.filter(meeting__in=[m.pk for m in rows]):
            by_meeting[override.meeting_id][override.original_start] = override
    result = []
    for meeting in rows:
        result.extend(recurrence.happenings(meeting, by_meeting[meeting.pk], after, before))
    if user is not None and rows:
        answers = {
            (r.meeting_id, r.occurrence): r
            for r in Rsvp.objects.filter(
                user_id=user.pk,
                meeting__in=[m.pk for m in rows],
                occurrence__gte=after - dt.timedelta(days=30),
                occurrence__lt=before + dt.timedelta(days=30),
            )
        }
        for happening in result:
            happening.rsvp = answers.get((happening.meeting.pk, happening.original_start))
    result.sort(key=lambda h: (h.start, h.meeting.pk))
    return result


def space_window(space, after, before, user=None):
    return window(Meeting.objects.filter(space=space), after, before, user)


def my_window(user, after, before):
    return window(Meeting.objects.filter(space__in=viewable_spaces(user)), after, before, user)


def answers_for(meeting, original_start):
    """Everyone's answers for one occurrence: places first, then waiting, maybe, no."""
    rows = list(
        Rsvp.objects.filter(meeting=meeting, occurrence=original_start).select_related("user")
    )
    order = {"yes": 0, "maybe": 2, "no": 3}

    def rank(row):
        group = order[row.answer] + (1 if row.is_waiting else 0)
        return (group, row.waiting_since or row.answered, row.user.name.lower())

    return sorted(rows, key=rank)


def attendance_for(meeting, occurrence_start):
    """Who was at one occurrence: its check-ins, with the people, by name.

    ``occurrence_start`` is the occurrence's original start (for a meeting
    that does not repeat, its start). Session logs take attendance from here.
    """
    rows = CheckIn.objects.filter(meeting=meeting, occurrence=occurrence_start).select_related(
        "user", "by"
    )
    return sorted(rows, key=lambda row: row.user.name.lower())


def members_for_attendance(space):
    return (
        Membership.objects.filter(space=space)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )


def live_feeds(user):
    return FeedToken.objects.filter(user=user, revoked__isnull=True).select_related("space")


def feed_by_token(token):
    """The live feed for a token, or Http404 (revoked, unknown, or no access left)."""
    feed = (
        FeedToken.objects.select_related("user", "space")
        .filter(token=token, revoked__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404
    if feed.space is not None and not can(feed.user, Perm.VIEW_MEETINGS, feed.space):
        raise Http404
    return feed


def feed_meetings(feed, since):
    """The meetings a feed holds: recent and future ones of its space(s)."""
    if feed.space is not None:
        spaces = Space.objects.filter(pk=feed.space_id, archived=False)
    else:
        spaces = viewable_spaces(feed.user)
    return (
        Meeting.objects.filter(space__in=spaces, span_end__gte=since)
        .select_related("organiser", "space")
        .prefetch_related("occurrences")
        .order_by("span_start", "pk")
    )
