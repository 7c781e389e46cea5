"""The meetings' parts of shared pages: a dashboard section and the space menu link."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.hooks import dashboard_section, space_link, space_section
from tandem.spaces.permissions import Perm, can

NEXT_DAYS = 60
NEXT_COUNT = 5


@dashboard_section(20)
def next_meetings(request):
    """Three queries, however many meetings: meetings, overrides, the person's answers."""
    from . import queries

    now = timezone.now()
    happenings = [
        h
        for h in queries.my_window(request.user, now, now + dt.timedelta(days=NEXT_DAYS))
        if not h.cancelled
    ][:NEXT_COUNT]
    return {"template": "meetings/partials/dashboard_next.html", "happenings": happenings}


@space_link(20)
def meetings_link(user, space):
    if can(user, Perm.VIEW_MEETINGS, space):
        return _("Meetings"), reverse("meetings:calendar", args=[space.pk])
    return None


@space_section(20)
def space_next_meetings(request, space):
    """The space's next three meetings on its home page (three queries)."""
    from . import queries

    if not can(request.user, Perm.VIEW_MEETINGS, space):
        return None
    now = timezone.now()
    happenings = [
        h
        for h in queries.space_window(space, now, now + dt.timedelta(days=NEXT_DAYS), request.user)
        if not h.cancelled
    ][:3]
    return {
        "template": "meetings/partials/space_next.html",
        "happenings": happenings,
        "space": space,
    }
