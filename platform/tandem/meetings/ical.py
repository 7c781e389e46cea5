"""iCalendar out (files and feeds) and in (a partner's file), with ``icalendar``.

Out: one VEVENT per meeting with a stable UID and a SEQUENCE raised on every
change; repeating meetings carry their RRULE, cancelled occurrences an EXDATE
and a cancelled RECURRENCE-ID instance, moved ones a RECURRENCE-ID instance;
a VTIMEZONE for every zone used. Feeds expand nothing.

In: the file is checked (size, number of events, that it is iCalendar at
all, no script in its texts, a start for every event) before anything is
shown for confirmation; nothing is written here.
"""

import datetime as dt
import hashlib
import re
import zoneinfo

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.core import richtext

from . import recurrence, schedule
from .models import Meeting

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_EVENTS = 500
MAX_IMPORT_ZONES = 100  # VTIMEZONE definitions: each is parsed into rules
FOLD = re.compile(r"\r?\n[ \t]")  # RFC 5545 3.1: a line break then a space continues the line
BEGIN_EVENT = re.compile(r"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
BEGIN_ZONE = re.compile(r"^BEGIN:VTIMEZONE\s*$", re.IGNORECASE | re.MULTILINE)
MAX_EXCEPTIONS = 500  # moved or cancelled occurrences read per repeating event
SCANNED = ("summary", "description", "location", "url", "x-alt-desc", "comment")
RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# Markup that would run code if some program ever showed the text as HTML.
SCRIPT_PATTERN = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|svg|math|link|meta|base|form)\b"
    r"|javascript\s*:|vbscript\s*:|data\s*:\s*text/html|<[^>]*\bon[a-z]+\s*=",
    re.IGNORECASE,
)


def _site(path):
    return settings.TANDEM["SITE_URL"].rstrip("/") + path


def _organiser_address():
    # Organisers' own e-mail addresses stay private; calendars get the site's.
    match = re.search(r"[\w.+-]+@[\w.-]+", settings.DEFAULT_FROM_EMAIL)
    return f"mailto:{match.group(0) if match else 'tandem@localhost'}"


def _rrule(meeting, tz):
    local_start = recurrence.to_local_naive(meeting.start, tz)
    rule = {"FREQ": "WEEKLY", "INTERVAL": 1}
    if meeting.repeat == "biweekly":
        rule["INTERVAL"] = 2
    elif meeting.repeat == "monthly":
        n = recurrence.nth_weekday(local_start)
        rule = {"FREQ": "MONTHLY", "BYDAY": f"{n}{RRULE_DAYS[local_start.weekday()]}"}
    if meeting.repeat_count:
        rule["COUNT"] = meeting.repeat_count
    if meeting.repeat_until:
        # With a TZID start, UNTIL must be in UTC (RFC 5545 3.3.10).
        last = dt.datetime.combine(meeting.repeat_until, dt.time(23, 59, 59))
        rule["UNTIL"] = recurrence.from_local_naive(last, tz)
    return rule


def _description(meeting):
    # Calendar programs show DESCRIPTION as plain text: the markdown's marks would show.
    text = richtext.to_plain_text(meeting.description)
    parts = [text] if text else []
    if meeting.online_link:
        parts.append(_("Join online: %(link)s") % {"link": meeting.online_link})
    if meeting.languages:
        parts.append(_("Languages: %(languages)s") % {"languages": meeting.languages})
    return "\n\n".join(parts)


def _base_event(meeting, tz, url):
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.updated.astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    description = _description(meeting)
    if description:
        event.add("description", description)
    location = meeting.address or meeting.online_link
    if location:
        event.add("location", location)
    event.add("url", url)
    organiser = icalendar.vCalAddress(_organiser_address())
    if meeting.organiser is not None:
        organiser.params["CN"] = meeting.organiser.name
    event.add("organizer", organiser)
    return event


def meeting_events(meeting, overrides):
    """The VEVENTs of one meeting: the master and its changed occurrences."""
    tz = recurrence.zone(meeting.time_zone)
    url = _site(reverse("meetings:detail", args=[meeting.space_id, meeting.pk]))
    master = _base_event(meeting, tz, url)
    events = [master]
    if not meeting.repeat:
        happening = recurrence.apply_override(meeting, meeting.start, overrides.get(meeting.start))
        master.add("dtstart", happening.start.astimezone(tz))
        master.add("dtend", happening.end.astimezone(tz))
        master.add("status", "CANCELLED" if happening.cancelled else "CONFIRMED")
        return events
    master.add("dtstart", meeting.start.astimezone(tz))
    master.add("dtend", recurrence.local_end(meeting, meeting.start).astimezone(tz))
    master.add("rrule", _rrule(meeting, tz))
    master.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    valid = set(recurrence.original_starts(meeting))
    changed = sorted(
        (o for o in overrides.values() if o.original_start in valid and (o.cancelled or o.start)),
        key=lambda o: o.original_start,
    )
    cancelled = [o.original_start.astimezone(tz) for o in changed if o.cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    for override in changed:
        happening = recurrence.apply_override(meeting, override.original_start, override)
        instance = _base_event(meeting, tz, f"{url}?on={happening.key}")
        instance.add("recurrence-id", override.original_start.astimezone(tz))
        instance.add("dtstart", happening.start.astimezone(tz))
        instance.add("dtend", happening.end.astimezone(tz))
        instance.add("status", "CANCELLED" if happening.cancelled else "CONFIRMED")
        events.append(instance)
    return events


def build_calendar(meetings, *, name):
    """A whole calendar (bytes) for ``meetings``, each with ``occurrences`` prefetched."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Tandem//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    first = last = None
    for meeting in meetings:
        overrides = {o.original_start: o for o in meeting.occurrences.all()}
        for event in meeting_events(meeting, overrides):
            calendar.add_component(event)
        first = min(first or meeting.span_start, meeting.span_start)
        last = max(last or meeting.span_end, meeting.span_end)
    if first is not None:
        # Transitions only for the years the meetings are in keep feeds small.
        calendar.add_missing_timezones(
            first_date=first.date() - dt.timedelta(days=366),
            last_date=last.date() + dt.timedelta(days=366),
        )
    return calendar.to_ical()


# --- In -------------------------------------------------------------------


def _fail(message, code):
    raise ValidationError(message, code=code)


def _text(component, name):
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def _zone_name(prop, fallback):
    """The known zone of a DTSTART-like property; a floating time takes ``fallback``.

    A TZID we do not know (a made-up name, a partner's own VTIMEZONE) is refused
    rather than read in some other zone: the times would silently be wrong.
    """
    value = prop.dt
    tzinfo = getattr(value, "tzinfo", None)
    named = prop.params.get("TZID")
    if tzinfo is None and not named:
        return fallback
    if tzinfo is not None and tzinfo.utcoffset(None) == dt.timedelta(0) and not named:
        return "UTC"
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if key and key in schedule.known_zones():
        return key
    _fail(
        _(
            "Its time zone “%(zone)s” is not one we know. Ask your partner for a file "
            "with zone names such as Europe/Helsinki."
        )
        % {"zone": str(named or key or tzinfo)[:64]},
        "unknown_time_zone",
    )


def _as_datetime(value, tz_name):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))
        return value
    return dt.datetime.combine(value, dt.time(0, 0), tzinfo=zoneinfo.ZoneInfo(tz_name))


def _repeat(component, start_local):
    """Our repeat fields for a partner's RRULE, or None with a note."""
    rule = component.get("rrule")
    if rule is None:
        return {"repeat": "", "repeat_until": None, "repeat_count": None}, ""
    if isinstance(rule, list):
        rule = rule[0]
    freq = (rule.get("FREQ") or [""])[0]
    interval = int((rule.get("INTERVAL") or [1])[0])
    count = (rule.get("COUNT") or [None])[0]
    until = (rule.get("UNTIL") or [None])[0]
    byday = [str(d) for d in rule.get("BYDAY") or []]
    other = set(rule) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}
    weekday = RRULE_DAYS[start_local.weekday()]
    repeat = None
    if not other and freq == "WEEKLY" and interval in (1, 2) and byday in ([], [weekday]):
        repeat = "weekly" if interval == 1 else "biweekly"
    elif (
        not other
        and freq == "MONTHLY"
        and interval == 1
        and byday == [f"{recurrence.nth_weekday(start_local)}{weekday}"]
    ):
        repeat = "monthly"
    if repeat is None:
        return None, _("It repeats in a way Tandem does not support: only the first date is added.")
    if count is None and until is None:
        return None, _("It repeats without an end: only the first date is added.")
    if isinstance(until, dt.datetime):
        until = until.astimezone(start_local.tzinfo).date() if until.tzinfo else until.date()
    return {"repeat": repeat, "repeat_until": until, "repeat_count": count}, ""


def too_big_message():
    return _("The file is too big. A calendar file can be at most %(size)s MB.") % {
        "size": MAX_IMPORT_BYTES // (1024 * 1024)
    }


def _too_big():
    _fail(too_big_message(), "too_large")


def _too_many_events(found):
    _fail(
        ngettext(
            "The file has %(found)s events; at most %(max)s event can be imported at once.",
            "The file has %(found)s events; at most %(max)s events can be imported at once.",
            MAX_IMPORT_EVENTS,
        )
        % {"found": found, "max": MAX_IMPORT_EVENTS},
        "too_many_events",
    )


def _too_many_zones():
    _fail(
        _("The file defines more than %(max)s time zones. Ask your partner for a plain file.")
        % {"max": MAX_IMPORT_ZONES},
        "too_many_zones",
    )


def read_calendar(upload, *, space, fallback_zone):
    """Check an uploaded .ics file; the events as plain dicts, or ValidationError.

    The size is checked before the file is read, the counts before it is parsed (on
    the unfolded text, so a folded ``BEGIN:VEV`` / `` ENT`` counts too) and again on
    what the parser found: a hostile file is refused in well under a second.
    """
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        _too_big()
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        _too_big()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(_("This is not an iCalendar (.ics) file."), "not_ical")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        _fail(_("This is not an iCalendar (.ics) file."), "not_ical")
    unfolded = FOLD.sub("", text)
    found = len(BEGIN_EVENT.findall(unfolded))
    if found > MAX_IMPORT_EVENTS:
        _too_many_events(found)
    if len(BEGIN_ZONE.findall(unfolded)) > MAX_IMPORT_ZONES:
        _too_many_zones()
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError):
        _fail(_("This is not an iCalendar (.ics) file."), "not_ical")
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        _fail(_("This is not an iCalendar (.ics) file."), "not_ical")
    every = calendar.walk("VEVENT")
    if len(every) > MAX_IMPORT_EVENTS:
        _too_many_events(len(every))
    if len(calendar.walk("VTIMEZONE")) > MAX_IMPORT_ZONES:
        _too_many_zones()
    components = [c for c in every if c.get("recurrence-id") is None]
    # a partner's moved or cancelled single occurrences: same UID, with RECURRENCE-ID
    changed = {}
    for component in every:
        if component.get("recurrence-id") is not None:
            changed.setdefault(_text(component, "uid")[:255], []).append(component)
    if not components:
        _fail(_("The file has no events."), "no_events")
    for component in components:
        for name in SCANNED:
            if SCRIPT_PATTERN.search(_text(component, name)):
                _fail(
                    _(
                        "The file contains code (such as a script) in its texts. "
                        "Ask your partner for a plain calendar file."
                    ),
                    "script",
                )
    events, problems = [], []
    for number, component in enumerate(components, start=1):
        title = schedule.one_line(_text(component, "summary"))[:160] or _("(no title)")
        label = _("Event %(number)s (“%(title)s”)") % {"number": number, "title": title}
        try:
            event = _read_event(component, title, space, fallback_zone)
            if event["repeat"]:
                length = dt.datetime.fromisoformat(event["end"]) - dt.datetime.fromisoformat(
                    event["start"]
                )
                event["exceptions"] = _exceptions(
                    component, changed.get(event["external_uid"], []), event["time_zone"], length
                )
            events.append(event)
        except ValidationError as error:
            problems.append(f"{label}: {' '.join(error.messages)}")
    if problems:
        raise ValidationError(
            [ValidationError(p, code="bad_event") for p in problems[:10]], code="bad_event"
        )
    return events


def _utc_values(prop, tz_name):
    """The times of an EXDATE-like property (one or several lines) as UTC datetimes."""
    lines = prop if isinstance(prop, list) else [prop]
    found = []
    for line in lines:
        for value in getattr(line, "dts", []):
            found.append(_as_datetime(value.dt, tz_name).astimezone(dt.UTC))
    return found


def _exceptions(master, overrides, tz_name, length):
    """A repeating event's cancelled (EXDATE, STATUS:CANCELLED) and moved occurrences.

    Original starts are UTC ISO strings; they are matched against Tandem's own expansion
    when the import is confirmed, so one that is not an occurrence is left out there.
    """
    cancelled, moved = [], []
    if master.get("exdate") is not None:
        cancelled += [moment.isoformat() for moment in _utc_values(master.get("exdate"), tz_name)]
    for component in overrides[:MAX_EXCEPTIONS]:
        try:
            original = _as_datetime(component.get("recurrence-id").dt, tz_name).astimezone(dt.UTC)
        except AttributeError:
            continue
        if str(component.get("status", "")).upper() == "CANCELLED":
            cancelled.append(original.isoformat())
            continue
        if component.get("dtstart") is None:
            continue
        start = _as_datetime(component.get("dtstart").dt, tz_name)
        if component.get("dtend") is not None:
            end = _as_datetime(component.get("dtend").dt, tz_name)
        elif component.get("duration") is not None:
            end = start + component.get("duration").dt
        else:
            end = start + length  # the series' own length, however the master gave it
        if (start, end) == (original, original + length):
            continue  # same time: only texts changed, which Tandem does not keep per occurrence
        moved.append(
            {
                "original": original.isoformat(),
                "start": start.astimezone(dt.UTC).isoformat(),
                "end": end.astimezone(dt.UTC).isoformat(),
            }
        )
    return {"cancelled": sorted(set(cancelled))[:MAX_EXCEPTIONS], "moved": moved}


def _read_event(component, title, space, fallback_zone):
    start_prop = component.get("dtstart")
    if start_prop is None:
        _fail(_("It has no start time (DTSTART)."), "missing_dtstart")
    try:
        start_value = start_prop.dt
    except AttributeError:
        _fail(_("Its start time cannot be read."), "bad_dtstart")
    tz_name = _zone_name(start_prop, fallback_zone)
    start = _as_datetime(start_value, tz_name)
    if component.get("dtend") is not None:
        _zone_name(component.get("dtend"), fallback_zone)
        end = _as_datetime(component.get("dtend").dt, tz_name)
    elif component.get("duration") is not None:
        end = start + component.get("duration").dt
    elif isinstance(start_value, dt.datetime):
        end = start + dt.timedelta(hours=1)
    else:
        end = start + dt.timedelta(days=1)
    location = _text(component, "location")[:300]
    url = _text(component, "url")
    link = ""
    for candidate in (_text(component, "x-google-conferencemeet"), url, location):
        if re.match(r"^https?://\S+$", candidate or ""):
            link = candidate[:500]
            break
    address = "" if location == link else location
    uid = _text(component, "uid")[:255]
    if not uid:
        uid = "import-" + hashlib.sha256(f"{title}|{start.isoformat()}".encode()).hexdigest()[:32]
    local_start = start.astimezone(zoneinfo.ZoneInfo(tz_name))
    repeat, note = _repeat(component, local_start)
    if repeat is None:
        repeat = {"repeat": "", "repeat_until": None, "repeat_count": None}
    if link and not address:
        kind = Meeting.Kind.ONLINE
    elif space.is_peer_group:
        kind = Meeting.Kind.SESSION
    else:
        kind = Meeting.Kind.TRANSNATIONAL
    data = schedule.clean(
        {
            "title": title,
            "description": _text(component, "description")[:5000],
            "kind": kind,
            "time_zone": tz_name,
            "start": start,
            "end": end,
            "address": address,
            "online_link": link,
            **repeat,
        }
    )
    return {
        **{k: v for k, v in data.items() if k not in ("start", "end", "repeat_until")},
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "repeat_until": data["repeat_until"].isoformat() if data["repeat_until"] else None,
        "external_uid": uid,
        "note": str(note),
    }
