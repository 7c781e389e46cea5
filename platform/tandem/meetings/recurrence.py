"""Expanding repeating meetings, in the meeting's own time zone.

The rule runs on naive local wall-clock times (dateutil's ``rrule``) and
each result is then placed in the meeting's zone, so a weekly 10:00 session
is 10:00 local before and after a daylight-saving change (its UTC time moves
by an hour). Only bounded windows are ever expanded.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from dateutil import rrule

UTC = dt.UTC
MAX_OCCURRENCES = 400
FAR_PAST = dt.datetime(1900, 1, 1)  # noqa: DTZ001 -- naive on purpose, see original_starts
FAR_FUTURE = dt.datetime(2200, 1, 1)  # noqa: DTZ001


def zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def to_local_naive(value, tz):
    return value.astimezone(tz).replace(tzinfo=None)


def from_local_naive(value, tz):
    return value.replace(tzinfo=tz).astimezone(UTC)


def nth_weekday(day):
    """Which weekday of the month a date is: 1..4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def build_rule(*, repeat, start_local, until=None, count=None):
    """The dateutil rule for a repeat pattern; ``start_local`` is naive local time."""
    kwargs = {"dtstart": start_local}
    if repeat == "weekly":
        kwargs.update(freq=rrule.WEEKLY, interval=1)
    elif repeat == "biweekly":
        kwargs.update(freq=rrule.WEEKLY, interval=2)
    elif repeat == "monthly":
        weekday = rrule.weekday(start_local.weekday())(nth_weekday(start_local))
        kwargs.update(freq=rrule.MONTHLY, interval=1, byweekday=weekday)
    else:
        raise ValueError(repeat)
    if count:
        kwargs["count"] = count
    if until:
        kwargs["until"] = dt.datetime.combine(until, dt.time(23, 59, 59))
    return rrule.rrule(**kwargs)


def rule_of(meeting):
    tz = zone(meeting.time_zone)
    return build_rule(
        repeat=meeting.repeat,
        start_local=to_local_naive(meeting.start, tz),
        until=meeting.repeat_until,
        count=meeting.repeat_count,
    )


def original_starts(meeting, after=None, before=None):
    """Original starts (UTC) of the meeting's occurrences, in [after, before]."""
    if not meeting.repeat:
        if (after is None or meeting.start >= after) and (
            before is None or meeting.start <= before
        ):
            return [meeting.start]
        return []
    tz = zone(meeting.time_zone)
    rule = rule_of(meeting)
    if after is None and before is None:
        local = list(rule[:MAX_OCCURRENCES])
    else:
        # The rule runs on naive wall-clock times; the ends are widened by a
        # day so zone offsets cannot drop an occurrence at the edge.
        lo = to_local_naive(after, tz) - dt.timedelta(days=1) if after else FAR_PAST
        hi = to_local_naive(before, tz) + dt.timedelta(days=1) if before else FAR_FUTURE
        local = rule.between(lo, hi, inc=True)
    starts = [from_local_naive(value, tz) for value in local]
    return [s for s in starts if (after is None or s >= after) and (before is None or s <= before)]


def count_occurrences(*, repeat, start, time_zone, until=None, count=None, limit=MAX_OCCURRENCES):
    """How many occurrences a rule makes, counting no further than ``limit + 1``."""
    tz = zone(time_zone)
    rule = build_rule(
        repeat=repeat, start_local=to_local_naive(start, tz), until=until, count=count
    )
    n = 0
    for _value in rule:
        n += 1
        if n > limit:
            break
    return n


def last_start(meeting):
    if not meeting.repeat:
        return meeting.start
    tz = zone(meeting.time_zone)
    values = list(rule_of(meeting)[:MAX_OCCURRENCES])
    return from_local_naive(values[-1], tz) if values else meeting.start


def local_end(meeting, start):
    """The end of an occurrence: same local wall-clock length as the first one."""
    if not meeting.repeat:
        return meeting.end
    tz = zone(meeting.time_zone)
    length = to_local_naive(meeting.end, tz) - to_local_naive(meeting.start, tz)
    return from_local_naive(to_local_naive(start, tz) + length, tz)


@dataclass
class Happening:
    """One occurrence as people see it (moved or not, cancelled or not)."""

    meeting: object
    original_start: dt.datetime
    start: dt.datetime
    end: dt.datetime
    cancelled: bool = False
    moved: bool = False
    override: object = None
    rsvp: object = None

    @property
    def key(self):
        return key_of(self.original_start)

    @property
    def closed(self):
        return bool(self.override and self.override.closed)

    def overlaps(self, after, before):
        return self.start < before and self.end > after


def key_of(value):
    """The occurrence key in URLs and forms: the original start, UTC, compact."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_key(text):
    try:
        return dt.datetime.strptime(text or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def happenings(meeting, overrides, after, before):
    """The meeting's occurrences that overlap [after, before), overrides applied.

    ``overrides`` maps original start -> Occurrence for this meeting. Moved
    occurrences are found through the overrides, wherever they came from.
    """
    result = []
    length = meeting.end - meeting.start
    span = dt.timedelta(days=15)
    seen = set()
    for original in original_starts(meeting, after - length - span, before + span):
        seen.add(original)
        result.append(apply_override(meeting, original, overrides.get(original)))
    for original, override in overrides.items():
        if (
            original not in seen
            and override.start is not None
            and original in original_starts(meeting, original, original)
        ):
            result.append(apply_override(meeting, original, override))
    result = [h for h in result if h.overlaps(after, before)]
    result.sort(key=lambda h: (h.start, h.meeting.pk))
    return result


def apply_override(meeting, original, override):
    start, end = original, local_end(meeting, original)
    moved = cancelled = False
    if override is not None:
        if override.start is not None:
            start, end, moved = override.start, override.end, True
        cancelled = override.cancelled
    if meeting.status == "cancelled":
        cancelled = True
    return Happening(
        meeting=meeting,
        original_start=original,
        start=start,
        end=end,
        cancelled=cancelled,
        moved=moved,
        override=override,
    )


def span_of(meeting, overrides=()):
    """(first start, last end) over all occurrences, moved ones included."""
    first = meeting.start
    last = local_end(meeting, last_start(meeting))
    for override in overrides:
        if override.start is not None:
            first = min(first, override.start)
            last = max(last, override.end)
    return first, last
