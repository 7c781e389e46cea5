"""The checks every meeting's schedule passes, from the form or a partner's file.

``clean`` is the one place that says what a meeting may be: the form's actions and the
calendar import both call it, so an imported event can be nothing a person could not type.
"""

import datetime as dt
import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import recurrence
from .models import Meeting, validate_web_link

MAX_DAYS = 14
MAX_REPEATS = 200
MAX_REPEAT_YEARS = 3


@functools.cache
def known_zones():
    """The zone database's names, read once: listing it walks the zone folder on disk."""
    return frozenset(zoneinfo.available_timezones())


def one_line(value):
    """A title or place on one line: line breaks and tabs become single spaces.

    A line break in a title would end up in e-mail subjects and calendar headers.
    """
    return " ".join((value or "").split())


def invalid(field, message, code):
    return ValidationError({field: [ValidationError(message, code=code)]})


def zone(name):
    try:
        if not name or name not in known_zones():
            raise zoneinfo.ZoneInfoNotFoundError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise invalid(
            "time_zone",
            _(
                "“%(zone)s” is not a time zone we know. "
                "Choose one from the list, such as Europe/Helsinki."
            )
            % {"zone": name},
            "unknown_time_zone",
        ) from None


def aware(value, tz, field):
    """A naive wall-clock time in ``tz`` (or an aware time) as UTC."""
    if value is None:
        raise invalid(field, _("Enter a date and time."), "required")
    if timezone.is_aware(value):
        return value.astimezone(dt.UTC)
    return recurrence.from_local_naive(value, tz)


def clean(data):
    """Check and normalise the fields of a meeting; raises ValidationError."""
    tz = zone(data["time_zone"])
    start = aware(data.get("start"), tz, "start")
    end = aware(data.get("end"), tz, "end")
    if end <= start:
        raise invalid("end", _("The meeting must end after it starts."), "end_before_start")
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise invalid(
            "end",
            _("A meeting can last at most %(days)s days.") % {"days": MAX_DAYS},
            "too_long",
        )
    title = one_line(data.get("title"))
    if not title:
        raise invalid("title", _("Give the meeting a title."), "required")
    if data.get("kind") not in Meeting.Kind.values:
        raise invalid("kind", _("Choose a kind of meeting from the list."), "invalid_kind")
    link = (data.get("online_link") or "").strip()
    if link:
        try:
            validate_web_link(link)
        except ValidationError:
            raise invalid(
                "online_link",
                _("Enter a web address that starts with https:// or http://."),
                "invalid_link",
            ) from None
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= int(capacity) <= 10000:
        raise invalid("capacity", _("Places must be between 1 and 10,000."), "capacity_range")
    repeat = data.get("repeat") or ""
    until = data.get("repeat_until")
    count = data.get("repeat_count")
    if repeat not in Meeting.Repeat.values:
        raise invalid("repeat", _("Choose how the meeting repeats from the list."), "invalid")
    if repeat:
        if not until and not count:
            raise invalid(
                "repeat_until",
                _("A repeating meeting needs an end: a last date or a number of times."),
                "endless_repeat",
            )
        if end - start > dt.timedelta(days=1):
            raise invalid(
                "repeat",
                _("Only meetings of one day or less can repeat."),
                "repeat_too_long",
            )
        if count is not None and not 1 <= int(count) <= MAX_REPEATS:
            raise invalid(
                "repeat_count",
                _("A meeting can repeat at most %(count)s times.") % {"count": MAX_REPEATS},
                "too_many_repeats",
            )
        local_start = recurrence.to_local_naive(start, tz).date()
        if until and until < local_start:
            raise invalid(
                "repeat_until",
                _("The last date must be on or after the first meeting."),
                "until_before_start",
            )
        if until and until > local_start + dt.timedelta(days=366 * MAX_REPEAT_YEARS):
            raise invalid(
                "repeat_until",
                _("A meeting can repeat for at most %(years)s years.")
                % {"years": MAX_REPEAT_YEARS},
                "repeat_too_far",
            )
        if (
            recurrence.count_occurrences(
                repeat=repeat,
                start=start,
                time_zone=data["time_zone"],
                until=until,
                count=count,
                limit=MAX_REPEATS,
            )
            > MAX_REPEATS
        ):
            raise invalid(
                "repeat_until",
                _("A meeting can repeat at most %(count)s times.") % {"count": MAX_REPEATS},
                "too_many_repeats",
            )
    else:
        until = count = None
    return {
        "title": title[:160],
        "description": data.get("description") or "",
        "kind": data["kind"],
        "time_zone": data["time_zone"],
        "start": start,
        "end": end,
        "address": one_line(data.get("address"))[:300],
        "online_link": link,
        "languages": one_line(data.get("languages"))[:200],
        "capacity": capacity,
        "repeat": repeat,
        "repeat_until": until,
        "repeat_count": count,
    }


def refuse_past(start, time_zone, *, now=None):
    """A start in the past is most often a typo (2020 for 2026): the form asks first."""
    if start < (now or timezone.now()):
        when = recurrence.to_local_naive(start, zone(time_zone)).strftime("%Y-%m-%d %H:%M")
        raise invalid(
            "start",
            _(
                "This would start in the past (%(when)s). "
                "Check the date and time, or save it anyway."
            )
            % {"when": when},
            "in_the_past",
        )


def asks_about_past(error):
    """Whether a ValidationError is only the question about a start in the past."""
    errors = getattr(error, "error_dict", {})
    return list(errors) == ["start"] and all(e.code == "in_the_past" for e in errors["start"])
