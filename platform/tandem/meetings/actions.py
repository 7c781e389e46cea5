"""Every write to meetings, answers, check-ins, feeds and imports goes through here."""

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tandem.core import audit, mail, richtext
from tandem.core.notifications import in_own_language, notify
from tandem.spaces.models import Membership
from tandem.spaces.permissions import Perm, can

from . import recurrence, schedule
from .models import (
    AgendaItem,
    CalendarImport,
    CheckIn,
    FeedToken,
    Meeting,
    MeetingPreference,
    Occurrence,
    ReminderSent,
    Rsvp,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# A code only works around the meeting itself, so a code that got out is no use later.
CHECK_IN_BEFORE = dt.timedelta(hours=1)
CHECK_IN_AFTER = dt.timedelta(hours=6)


def _require(actor, perm, space):
    if not can(actor, perm, space):
        raise PermissionDenied


def _url(meeting, original_start=None):
    url = reverse("meetings:detail", args=[meeting.space_id, meeting.pk])
    if original_start is not None and meeting.repeat:
        url += f"?on={recurrence.key_of(original_start)}"
    return url


def schedule_meeting(*, actor, space, past_ok=True, **data):
    """Create a meeting in ``space``; start and end are wall-clock times in its zone.

    With ``past_ok=False`` (the form, until the person confirms) a start in the past
    is refused with ``in_the_past``.
    """
    _require(actor, Perm.SCHEDULE, space)
    clean = schedule.clean(data)
    if not past_ok:
        schedule.refuse_past(clean["start"], clean["time_zone"])
    with transaction.atomic():
        meeting = Meeting(
            space=space,
            organiser=actor,
            uid=f"{uuid.uuid4()}@tandem",
            external_uid=data.get("external_uid", "")[:255],
            description_html=richtext.render(clean["description"]),
            **clean,
        )
        meeting.span_start, meeting.span_end = recurrence.span_of(meeting)
        meeting.save()
        audit.record(
            actor=actor, action="meeting.scheduled", space=space, target=f"meeting:{meeting.pk}"
        )
    return meeting


def update_meeting(*, actor, meeting, past_ok=True, **data):
    """Change a meeting (all its occurrences). Raises SEQUENCE; tells who said yes.

    With ``past_ok=False``, moving its start into the past is refused with ``in_the_past``
    (other changes to a meeting that has begun are fine).
    """
    _require(actor, Perm.SCHEDULE, meeting.space)
    clean = schedule.clean(data)
    if not past_ok and clean["start"] != meeting.start:
        schedule.refuse_past(clean["start"], clean["time_zone"])
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        old_start, old_capacity = locked.start, locked.capacity
        moved = clean["start"] != locked.start or clean["end"] != locked.end
        place_changed = (
            clean["address"] != locked.address or clean["online_link"] != locked.online_link
        )
        if all(getattr(locked, name) == value for name, value in clean.items()):
            # Nothing changed (a re-import of the same file): SEQUENCE stays.
            return locked
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.description_html = richtext.render(clean["description"])
        locked.sequence += 1
        shift = locked.start - old_start
        if shift:
            # Everything keyed by occurrence follows the meeting to its new time.
            for model in (Occurrence,):
                for row in model.objects.filter(meeting=locked).order_by(
                    "-original_start" if shift > dt.timedelta(0) else "original_start"
                ):
                    row.original_start += shift
                    row.save(update_fields=["original_start"])
            for model in (Rsvp, CheckIn, ReminderSent):
                for row in model.objects.filter(meeting=locked).order_by(
                    "-occurrence" if shift > dt.timedelta(0) else "occurrence"
                ):
                    row.occurrence += shift
                    row.save(update_fields=["occurrence"])
        locked.span_start, locked.span_end = recurrence.span_of(
            locked, Occurrence.objects.filter(meeting=locked)
        )
        locked.save()
        audit.record(
            actor=actor,
            action="meeting.updated",
            space=locked.space,
            target=f"meeting:{locked.pk}",
        )
        if (locked.capacity or 0) != (old_capacity or 0):
            for occurrence in (
                Rsvp.objects.filter(meeting=locked, waiting_since__isnull=False)
                .values_list("occurrence", flat=True)
                .distinct()
            ):
                _promote(locked, occurrence)
        if moved or place_changed:
            people = _yes_people(locked, after=timezone.now())

            def text():
                if moved:
                    return _("“%(title)s” has a new time. Check the calendar.") % {
                        "title": locked.title
                    }
                return _("“%(title)s” has a new place or link.") % {"title": locked.title}

            _tell(people, kind="meeting.changed", text=text, meeting=locked)
    return locked


def _yes_people(meeting, *, after=None, occurrence=None):
    rows = Rsvp.objects.filter(meeting=meeting, answer=Rsvp.Answer.YES)
    if occurrence is not None:
        rows = rows.filter(occurrence=occurrence)
    elif after is not None:
        rows = rows.filter(occurrence__gte=after - meeting.duration)
    return sorted(set(rows.values_list("user_id", flat=True)))


def _tell(user_ids, *, kind, text, meeting, original_start=None):
    """In-app to everyone, e-mail to those who have an address and want it.

    ``user_ids`` are ids or people; ``text`` builds the message, in each person's language.
    """
    if not user_ids:
        return
    url = _url(meeting, original_start)
    notify(users=user_ids, kind=kind, text=text, url=url, space=meeting.space)
    _email_later([getattr(u, "pk", u) for u in user_ids], text=text, url=url)


def _email_later(user_ids, *, text, url):
    from tandem.accounts.models import User

    def send():
        people = list(User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""))
        refused = set(
            MeetingPreference.objects.filter(
                user_id__in=user_ids, email_reminders=False
            ).values_list("user_id", flat=True)
        )
        people = [person for person in people if person.pk not in refused]
        texts = in_own_language(people, text)
        link = settings.TANDEM["SITE_URL"].rstrip("/") + url
        for person in people:
            body = texts[person.pk]
            # one that cannot go is logged by mail.send; the others still get theirs
            mail.send(subject=body, body=f"{body}\n\n{link}\n", to=person.email)

    transaction.on_commit(send)


def _check_occurrence(meeting, original_start):
    if original_start is None or original_start not in recurrence.original_starts(
        meeting, original_start, original_start
    ):
        raise ValidationError(
            _("This meeting does not take place at that time."), code="no_such_occurrence"
        )


def cancel_meeting(*, actor, meeting, original_start=None):
    """Cancel the whole meeting, or one occurrence of a repeating one."""
    _require(actor, Perm.SCHEDULE, meeting.space)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if original_start is not None and locked.repeat:
            _check_occurrence(locked, original_start)
            occurrence, _created = Occurrence.objects.get_or_create(
                meeting=locked, original_start=original_start
            )
            if occurrence.cancelled:
                return locked
            occurrence.cancelled = True
            occurrence.save(update_fields=["cancelled", "updated"])
            people = _yes_people(locked, occurrence=original_start)
            target = f"meeting:{locked.pk}:{recurrence.key_of(original_start)}"
        else:
            if locked.is_cancelled:
                return locked
            locked.status = Meeting.Status.CANCELLED
            people = _yes_people(locked, after=timezone.now())
            target = f"meeting:{locked.pk}"
        locked.sequence += 1
        locked.save()
        audit.record(actor=actor, action="meeting.cancelled", space=locked.space, target=target)
        _tell(
            people,
            kind="meeting.cancelled",
            text=lambda: _("“%(title)s” is cancelled.") % {"title": locked.title},
            meeting=locked,
            original_start=original_start,
        )
    return locked


def move_occurrence(*, actor, meeting, original_start, start, end, past_ok=True):
    """Move one occurrence (or a single meeting) to another time; tells who said yes.

    With ``past_ok=False`` a new start in the past is refused with ``in_the_past``.
    """
    _require(actor, Perm.SCHEDULE, meeting.space)
    tz = schedule.zone(meeting.time_zone)
    new_start = schedule.aware(start, tz, "start")
    new_end = schedule.aware(end, tz, "end")
    if not past_ok and new_start != _happening(meeting, original_start).start:
        schedule.refuse_past(new_start, meeting.time_zone)
    if new_end <= new_start:
        raise schedule.invalid(
            "end", _("The meeting must end after it starts."), "end_before_start"
        )
    if new_end - new_start > dt.timedelta(days=schedule.MAX_DAYS):
        raise schedule.invalid(
            "end",
            _("A meeting can last at most %(days)s days.") % {"days": schedule.MAX_DAYS},
            "too_long",
        )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_occurrence(locked, original_start)
        occurrence, _created = Occurrence.objects.get_or_create(
            meeting=locked, original_start=original_start
        )
        occurrence.start, occurrence.end = new_start, new_end
        occurrence.save(update_fields=["start", "end", "updated"])
        locked.sequence += 1
        locked.span_start, locked.span_end = recurrence.span_of(
            locked, Occurrence.objects.filter(meeting=locked)
        )
        locked.save()
        audit.record(
            actor=actor,
            action="meeting.moved",
            space=locked.space,
            target=f"meeting:{locked.pk}:{recurrence.key_of(original_start)}",
        )
        _tell(
            _yes_people(locked, occurrence=original_start),
            kind="meeting.moved",
            text=lambda: _("“%(title)s” has moved to another time.") % {"title": locked.title},
            meeting=locked,
            original_start=original_start,
        )
    return occurrence


def add_agenda_item(*, actor, meeting, title, kind, start, end):
    """Add a part (seminar, study visit...) inside the meeting's own days."""
    _require(actor, Perm.SCHEDULE, meeting.space)
    tz = schedule.zone(meeting.time_zone)
    start, end = schedule.aware(start, tz, "start"), schedule.aware(end, tz, "end")
    title = schedule.one_line(title)
    if not title:
        raise schedule.invalid("title", _("Give the agenda item a title."), "required")
    if kind not in AgendaItem.Kind.values:
        raise schedule.invalid("kind", _("Choose a kind from the list."), "invalid_kind")
    if end <= start:
        raise schedule.invalid("end", _("The item must end after it starts."), "end_before_start")
    if start < meeting.start or end > meeting.end:
        raise schedule.invalid(
            "start",
            _("Agenda items must be within the meeting's own days and times."),
            "outside_meeting",
        )
    with transaction.atomic():
        item = AgendaItem.objects.create(
            meeting=meeting, title=title[:160], kind=kind, start=start, end=end
        )
        _touch(meeting)
    return item


def remove_agenda_item(*, actor, item):
    _require(actor, Perm.SCHEDULE, item.meeting.space)
    with transaction.atomic():
        AgendaItem.objects.filter(pk=item.pk).delete()
        _touch(item.meeting)


def _touch(meeting):
    """The meeting changed: calendar programs must fetch it again."""
    Meeting.objects.filter(pk=meeting.pk).update(
        sequence=models.F("sequence") + 1, updated=timezone.now()
    )


def answer(*, actor, meeting, original_start, answer, needs=None):
    """Say yes, maybe or no for one occurrence.

    Locks the meeting row so two people cannot take the last place together.
    A "yes" to a full meeting waits; when someone with a place stops coming,
    the first person waiting gets the place and is told.
    """
    _require(actor, Perm.RSVP, meeting.space)
    if answer not in Rsvp.Answer.values:
        raise schedule.invalid("answer", _("Choose yes, maybe or no."), "invalid_answer")
    needs = needs or {}
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_occurrence(locked, original_start)
        happening = _happening(locked, original_start)
        if happening.cancelled:
            raise ValidationError(_("This meeting is cancelled."), code="cancelled")
        if happening.end < timezone.now():
            raise ValidationError(_("This meeting is over."), code="over")
        rsvp = (
            Rsvp.objects.select_for_update()
            .filter(meeting=locked, occurrence=original_start, user=actor)
            .first()
        )
        had_place = rsvp is not None and rsvp.answer == Rsvp.Answer.YES and not rsvp.is_waiting
        if rsvp is None:
            rsvp = Rsvp(meeting=locked, occurrence=original_start, user=actor)
        if answer == Rsvp.Answer.YES:
            if not (rsvp.pk and rsvp.answer == Rsvp.Answer.YES):
                taken = _taken(locked, original_start)
                full = locked.capacity is not None and taken >= locked.capacity
                rsvp.waiting_since = timezone.now() if full else None
        else:
            rsvp.waiting_since = None
        rsvp.answer = answer
        rsvp.interpreter = bool(needs.get("interpreter"))
        rsvp.interpreter_language = (needs.get("interpreter_language") or "").strip()[:60]
        rsvp.childcare = bool(needs.get("childcare"))
        rsvp.accessibility = (needs.get("accessibility") or "").strip()[:300]
        rsvp.other_needs = (needs.get("other_needs") or "").strip()[:300]
        rsvp.save()
        if had_place and answer != Rsvp.Answer.YES:
            _promote(locked, original_start)
    return rsvp


def _taken(meeting, original_start):
    return Rsvp.objects.filter(
        meeting=meeting,
        occurrence=original_start,
        answer=Rsvp.Answer.YES,
        waiting_since__isnull=True,
    ).count()


def _promote(meeting, original_start):
    """Give free places to those waiting longest; the caller holds the meeting lock."""
    free = None if meeting.capacity is None else meeting.capacity - _taken(meeting, original_start)
    waiting = (
        Rsvp.objects.select_for_update()
        .filter(meeting=meeting, occurrence=original_start, waiting_since__isnull=False)
        .order_by("waiting_since", "pk")
    )
    if free is not None:
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.waiting_since = None
        rsvp.save(update_fields=["waiting_since", "answered"])
    if promoted:
        _tell(
            [r.user_id for r in promoted],
            kind="meeting.place",
            text=lambda: (
                _("A place opened up: you are coming to “%(title)s”.") % {"title": meeting.title}
            ),
            meeting=meeting,
            original_start=original_start,
        )
    return promoted


def _happening(meeting, original_start):
    override = Occurrence.objects.filter(meeting=meeting, original_start=original_start).first()
    return recurrence.apply_override(meeting, original_start, override)


def open_check_in(*, actor, meeting, original_start):
    """Give the occurrence a short code people type (or scan) to check in."""
    _require(actor, Perm.SCHEDULE, meeting.space)
    _check_occurrence(meeting, original_start)
    with transaction.atomic():
        occurrence, _created = Occurrence.objects.select_for_update().get_or_create(
            meeting=meeting, original_start=original_start
        )
        if not occurrence.check_in_code:
            occurrence.check_in_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
            occurrence.save(update_fields=["check_in_code", "updated"])
    return occurrence


def normalise_code(raw):
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def check_in(*, actor, meeting, original_start, code):
    """The person checks themself in with the code shown at the meeting."""
    _require(actor, Perm.RSVP, meeting.space)
    _check_occurrence(meeting, original_start)
    occurrence = Occurrence.objects.filter(meeting=meeting, original_start=original_start).first()
    if (
        occurrence is None
        or not occurrence.check_in_code
        or not secrets.compare_digest(occurrence.check_in_code, normalise_code(code))
    ):
        raise schedule.invalid(
            "code", _("This code does not work. Check it with the organiser."), "wrong_code"
        )
    if occurrence.closed:
        raise ValidationError(_("This meeting is closed."), code="closed")
    happening = recurrence.apply_override(meeting, original_start, occurrence)
    now = timezone.now()
    if not happening.start - CHECK_IN_BEFORE <= now <= happening.end + CHECK_IN_AFTER:
        raise ValidationError(
            _("Check-in is open from an hour before the meeting until a few hours after it."),
            code="check_in_closed",
        )
    with transaction.atomic():
        row, _created = CheckIn.objects.get_or_create(
            meeting=meeting,
            occurrence=original_start,
            user=actor,
            defaults={"how": CheckIn.How.CODE, "by": actor},
        )
    return row


def set_attendance(*, actor, meeting, original_start, present):
    """An organiser's ticks for the whole list at once: ``present`` holds user ids.

    One transaction: members ticked get a check-in, members unticked lose theirs (the
    list shows phone check-ins ticked); each change is audited. Ids of people who are
    not in the space are ignored.
    """
    _require(actor, Perm.SCHEDULE, meeting.space)
    _check_occurrence(meeting, original_start)
    members = set(
        Membership.objects.filter(space_id=meeting.space_id).values_list("user_id", flat=True)
    )
    wanted = {int(uid) for uid in present if str(uid).isdecimal() and str(uid).isascii()}
    wanted &= members
    with transaction.atomic():
        rows = {
            row.user_id: row
            for row in CheckIn.objects.select_for_update().filter(
                meeting=meeting, occurrence=original_start, user_id__in=members
            )
        }
        added = sorted(wanted - set(rows))
        removed = sorted(uid for uid in set(rows) - wanted)
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    meeting=meeting,
                    occurrence=original_start,
                    user_id=uid,
                    how=CheckIn.How.ORGANISER,
                    by=actor,
                )
                for uid in added
            ],
            ignore_conflicts=True,  # a member checking in by phone at this moment keeps theirs
        )
        CheckIn.objects.filter(pk__in=[rows[uid].pk for uid in removed]).delete()
        for uid, action in [(u, "meeting.attendance_marked") for u in added] + [
            (u, "meeting.attendance_unmarked") for u in removed
        ]:
            audit.record(
                actor=actor,
                action=action,
                space=meeting.space,
                target=f"user:{uid}",
                meeting=meeting.pk,
                occurrence=recurrence.key_of(original_start),
            )
    return added, removed


def mark_attendance(*, actor, meeting, original_start, user_id, present):
    """An organiser ticks (or unticks) a member of the space as present."""
    _require(actor, Perm.SCHEDULE, meeting.space)
    _check_occurrence(meeting, original_start)
    if not Membership.objects.filter(space_id=meeting.space_id, user_id=user_id).exists():
        raise ValidationError(_("This person is not in the space."), code="not_member")
    with transaction.atomic():
        if present:
            _row, created = CheckIn.objects.get_or_create(
                meeting=meeting,
                occurrence=original_start,
                user_id=user_id,
                defaults={"how": CheckIn.How.ORGANISER, "by": actor},
            )
        else:
            created = bool(
                CheckIn.objects.filter(
                    meeting=meeting, occurrence=original_start, user_id=user_id
                ).delete()[0]
            )
        if created:
            audit.record(
                actor=actor,
                action="meeting.attendance_marked" if present else "meeting.attendance_unmarked",
                space=meeting.space,
                target=f"user:{user_id}",
                meeting=meeting.pk,
                occurrence=recurrence.key_of(original_start),
            )


def close_occurrence(*, actor, meeting, original_start, minutes, attendee_count=None):
    """Close a meeting (one occurrence) with short minutes and the number who came."""
    _require(actor, Perm.SCHEDULE, meeting.space)
    _check_occurrence(meeting, original_start)
    if len(minutes or "") > 5000:
        raise schedule.invalid("minutes", _("Keep the minutes under 5,000 characters."), "too_long")
    if attendee_count is not None and not 0 <= int(attendee_count) <= 10000:
        raise schedule.invalid(
            "attendee_count", _("Enter a number from 0 to 10,000."), "attendee_count_range"
        )
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        happening = _happening(locked, original_start)
        if happening.start > timezone.now():
            raise ValidationError(
                _("A meeting can be closed once it has begun."), code="not_started"
            )
        occurrence, _created = Occurrence.objects.get_or_create(
            meeting=locked, original_start=original_start
        )
        if attendee_count is None:
            attendee_count = CheckIn.objects.filter(
                meeting=locked, occurrence=original_start
            ).count()
        occurrence.minutes = minutes or ""
        occurrence.minutes_html = richtext.render(minutes or "")
        occurrence.attendee_count = attendee_count
        occurrence.closed = timezone.now()
        occurrence.closed_by = actor
        occurrence.save()
        audit.record(
            actor=actor,
            action="meeting.closed",
            space=locked.space,
            target=f"meeting:{locked.pk}:{recurrence.key_of(original_start)}",
            attendee_count=attendee_count,
        )
    return occurrence


def renew_feed(*, actor, space=None):
    """A new secret feed URL for the person (all spaces, or one); the old one stops."""
    if space is not None:
        _require(actor, Perm.VIEW_MEETINGS, space)
    with transaction.atomic():
        FeedToken.objects.filter(user=actor, space=space, revoked__isnull=True).update(
            revoked=timezone.now()
        )
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return FeedToken.objects.create(
                        user=actor, space=space, token=secrets.token_urlsafe(32)
                    )
            except IntegrityError:
                continue
    raise RuntimeError("could not make a feed token")


def revoke_feed(*, actor, feed):
    if feed.user_id != actor.pk:
        raise PermissionDenied
    FeedToken.objects.filter(pk=feed.pk, revoked__isnull=True).update(revoked=timezone.now())


def set_preferences(*, actor, reminders, email_reminders):
    MeetingPreference.objects.update_or_create(
        user=actor,
        defaults={"reminders": bool(reminders), "email_reminders": bool(email_reminders)},
    )


def save_import(*, actor, space, filename, events):
    """Keep checked events until the organiser confirms them."""
    _require(actor, Perm.SCHEDULE, space)
    CalendarImport.objects.filter(
        created__lt=timezone.now() - dt.timedelta(days=1), done__isnull=True
    ).delete()
    return CalendarImport.objects.create(
        space=space, uploaded_by=actor, filename=(filename or "")[:200], events=events
    )


IMPORT_BATCH = 25  # events per transaction: other writes wait for one batch at most


def confirm_import(*, actor, batch):
    """Create the events of a checked file; ones imported before (same UID) are updated.

    The events go in batches, each its own short transaction that locks the import row
    and records how far it got (``progress``), so the rest of the site keeps writing in
    between. A confirm that stops midway leaves the first ``applied`` events in the
    calendar and the rest waiting; confirming again goes on from there (and an event
    applied twice changes nothing: same UID). Returns the totals (created, updated).
    """
    space = batch.space
    _require(actor, Perm.SCHEDULE, space)
    if batch.uploaded_by_id != actor.pk or batch.done:
        raise PermissionDenied
    first = True
    while True:
        with transaction.atomic():
            locked = CalendarImport.objects.select_for_update().get(pk=batch.pk)
            if locked.done:
                if first:
                    raise PermissionDenied
                break
            first = False
            progress = {"applied": 0, "created": 0, "updated": 0, "left_out": 0}
            progress.update(locked.progress or {})
            begin = progress["applied"]
            events = locked.events[begin : begin + IMPORT_BATCH]
            known = {
                m.external_uid: m
                for m in Meeting.objects.filter(
                    space=space, external_uid__in=[e["external_uid"] for e in events]
                )
            }
            for event in events:
                outcome, left_out = _import_event(actor, space, event, known)
                progress[outcome] += 1
                progress["left_out"] += left_out
                progress["applied"] += 1
            locked.progress = progress
            if progress["applied"] >= len(locked.events):
                locked.done = timezone.now()
                audit.record(
                    actor=actor,
                    action="meeting.imported",
                    space=space,
                    target=f"import:{locked.pk}",
                    created=progress["created"],
                    updated=progress["updated"],
                    exceptions_left_out=progress["left_out"],
                )
            locked.save(update_fields=["progress", "done"])
        if locked.done:
            break
    batch.progress, batch.done = locked.progress, locked.done
    return locked.progress["created"], locked.progress["updated"]


def _import_event(actor, space, event, known):
    """One checked event into the calendar: ("created" | "updated", exceptions left out)."""
    data = dict(event)
    exceptions = data.pop("exceptions", None) or {}
    data["start"] = dt.datetime.fromisoformat(data["start"])
    data["end"] = dt.datetime.fromisoformat(data["end"])
    if data.get("repeat_until"):
        data["repeat_until"] = dt.date.fromisoformat(data["repeat_until"])
    existing = known.get(data["external_uid"])
    if existing:
        meeting = update_meeting(actor=actor, meeting=existing, **data)
        outcome = "updated"
    else:
        meeting = schedule_meeting(actor=actor, space=space, **data)
        outcome = "created"
    return outcome, _import_exceptions(actor, meeting, exceptions)


def _import_exceptions(actor, meeting, exceptions):
    """Cancel and move the occurrences a partner's file changed; how many were left out.

    Applying the same file again changes nothing (and raises no SEQUENCE). An original
    start that is not an occurrence of the series here is left out.
    """
    if not exceptions.get("cancelled") and not exceptions.get("moved"):
        return 0
    left_out = 0
    done = {o.original_start: o for o in Occurrence.objects.filter(meeting=meeting)}
    for raw in exceptions.get("cancelled", []):
        original = dt.datetime.fromisoformat(raw)
        if getattr(done.get(original), "cancelled", False):
            continue
        try:
            cancel_meeting(actor=actor, meeting=meeting, original_start=original)
        except ValidationError:
            left_out += 1
    for change in exceptions.get("moved", []):
        original = dt.datetime.fromisoformat(change["original"])
        start = dt.datetime.fromisoformat(change["start"])
        end = dt.datetime.fromisoformat(change["end"])
        known = done.get(original)
        if known is not None and (known.start, known.end) == (start, end):
            continue
        try:
            move_occurrence(
                actor=actor, meeting=meeting, original_start=original, start=start, end=end
            )
        except ValidationError:
            left_out += 1
    return left_out


def _reminder_text(meeting, happening, person):
    """The reminder in the person's own language and time zone."""
    with (
        translation.override(person.interface_language or settings.LANGUAGE_CODE),
        timezone.override(recurrence.zone(person.time_zone)),
    ):
        when = formats.date_format(timezone.localtime(happening.start), "SHORT_DATETIME_FORMAT")
        return _("Reminder: “%(title)s” on %(when)s.") % {"title": meeting.title, "when": when}


def _mail_reminder(row_id, person, text, url):
    """E-mail one reminder; a row whose mail did not go stays ``email_pending``."""
    link = settings.TANDEM["SITE_URL"].rstrip("/") + url
    if mail.send(subject=text, body=f"{text}\n\n{link}\n", to=person.email):
        ReminderSent.objects.filter(pk=row_id).update(email_pending=False)
        return True
    return False


def _retry_reminder_mails(now, margin):
    """E-mail again the reminders whose mail failed on an earlier run, if still ahead."""
    rows = ReminderSent.objects.filter(email_pending=True, occurrence__gte=now - margin)
    overrides = {
        (o.meeting_id, o.original_start): o
        for o in Occurrence.objects.filter(
            original_start__gte=now - margin,
            meeting_id__in=rows.values("meeting_id"),
        )
    }
    for row in rows.select_related("meeting", "user"):
        happening = recurrence.apply_override(
            row.meeting, row.occurrence, overrides.get((row.meeting_id, row.occurrence))
        )
        if happening.cancelled or happening.start <= now or not row.user.email:
            ReminderSent.objects.filter(pk=row.pk).update(email_pending=False)  # too late
            continue
        text = _reminder_text(row.meeting, happening, row.user)
        _mail_reminder(row.pk, row.user, text, _url(row.meeting, row.occurrence))


def send_reminders(*, now=None, hours=24):
    """Remind people who said yes of occurrences starting within ``hours``.

    Idempotent: a ReminderSent row per person and occurrence is written in
    the same transaction as the notification, so a second run sends nothing.
    The e-mail goes after commit, one person at a time: one that fails (a bad
    address, the mail server away) is logged, the others still go, and the row
    stays ``email_pending`` so the next run e-mails that person again (only the
    e-mail: the in-app reminder is not repeated).
    """
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=hours)
    margin = dt.timedelta(days=schedule.MAX_DAYS + 1)
    _retry_reminder_mails(now, margin)
    no_email = set(
        MeetingPreference.objects.filter(email_reminders=False).values_list("user_id", flat=True)
    )
    sent = 0
    rsvps = (
        Rsvp.objects.filter(
            answer=Rsvp.Answer.YES,
            waiting_since__isnull=True,
            occurrence__gte=now - margin,
            occurrence__lte=horizon + margin,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__space__archived=False,
            user__is_active=True,
        )
        .exclude(user__meeting_preference__reminders=False)
        .select_related("meeting", "meeting__space", "user")
    )
    already = set(
        ReminderSent.objects.filter(occurrence__gte=now - margin).values_list(
            "meeting_id", "occurrence", "user_id"
        )
    )
    overrides = {
        (o.meeting_id, o.original_start): o
        for o in Occurrence.objects.filter(
            original_start__gte=now - margin, original_start__lte=horizon + margin
        )
    }
    for rsvp in rsvps:
        key = (rsvp.meeting_id, rsvp.occurrence, rsvp.user_id)
        if key in already:
            continue
        happening = recurrence.apply_override(
            rsvp.meeting, rsvp.occurrence, overrides.get((rsvp.meeting_id, rsvp.occurrence))
        )
        if happening.cancelled or not now <= happening.start <= horizon:
            continue
        if not can(rsvp.user, Perm.VIEW_MEETINGS, rsvp.meeting.space):
            continue
        with transaction.atomic():
            row, created = ReminderSent.objects.get_or_create(
                meeting_id=rsvp.meeting_id, occurrence=rsvp.occurrence, user_id=rsvp.user_id
            )
            if not created:
                continue
            text = _reminder_text(rsvp.meeting, happening, rsvp.user)
            url = _url(rsvp.meeting, rsvp.occurrence)
            notify(
                users=[rsvp.user],
                kind="meeting.reminder",
                text=lambda text=text: text,  # already in the person's language and zone
                url=url,
                space=rsvp.meeting.space,
            )
            if rsvp.user.email and rsvp.user_id not in no_email:
                row.email_pending = True
                row.save(update_fields=["email_pending"])
                transaction.on_commit(
                    lambda row=row, person=rsvp.user, text=text, url=url: _mail_reminder(
                        row.pk, person, text, url
                    )
                )
            sent += 1
    return sent
