"""Every write to session logs, rates, periods and statements goes through here.

Each action checks permission (``PermissionDenied`` with a reason a person can
read), validates (``ValidationError`` with a code and a translated message),
writes in one transaction, appends to the chained audit and notifies on commit.
Rows that count for money are locked with ``select_for_update`` where two
people may act at once (approving, closing, paying).
"""

import calendar
import zoneinfo
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Organisation, OrganisationRole
from tandem.core import mail
from tandem.core.notifications import in_own_language, notify
from tandem.spaces.models import Membership, Role

from . import chain, permissions
from .models import (
    CENT,
    CURRENCY_CODES,
    HOME_CURRENCY,
    MAX_PREPARATION_MINUTES,
    MAX_SESSION_HOURS,
    Adjustment,
    AdjustmentRequest,
    AuditRow,
    ChainHead,
    Period,
    RateCard,
    SessionLog,
    Statement,
    StatementLine,
)

State = SessionLog.State


# --- the audit chain --------------------------------------------------------


def _audit(*, actor, action, organisation_id, log=None, statement=None, **fields):
    """Append one row to the chain; the head row lock keeps rows in hash order."""
    head, _created = ChainHead.objects.get_or_create(pk=1)
    head = ChainHead.objects.select_for_update().get(pk=1)
    row = AuditRow(
        created=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        log=log,
        statement=statement,
        organisation_id=organisation_id,
        from_state=fields.pop("from_state", ""),
        to_state=fields.pop("to_state", ""),
        reason=fields.pop("reason", ""),
        data={k: str(v) if isinstance(v, Decimal | date) else v for k, v in fields.items()},
        previous_hash=head.last_hash,
    )
    row.hash = chain.keyed_hash(head.last_hash, row.content())
    row.save()
    head.last_hash = row.hash
    head.save(update_fields=["last_hash"])
    return row


# --- logging a session ------------------------------------------------------


def _fail(code, message, **params):
    raise ValidationError(message, code=code, params=params or None)


def _local_date(moment, user):
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def _validate_session(
    *, tutor, space, counsellor, start, end, preparation_minutes, attendees, log=None
):
    if start is None or end is None or timezone.is_naive(start) or timezone.is_naive(end):
        _fail("times_required", _("Give the start and the end of the session."))
    if end <= start:
        _fail("end_before_start", _("The session must end after it starts."))
    if end > timezone.now():
        _fail("in_future", _("A session can be logged only after it has taken place."))
    if end - start > timedelta(hours=MAX_SESSION_HOURS):
        _fail(
            "too_long",
            _("A session can last at most %(hours)d hours.") % {"hours": MAX_SESSION_HOURS},
        )
    if not isinstance(preparation_minutes, int) or not (
        0 <= preparation_minutes <= MAX_PREPARATION_MINUTES
    ):
        _fail(
            "preparation_out_of_range",
            _("Preparation time must be between 0 and %(minutes)d minutes.")
            % {"minutes": MAX_PREPARATION_MINUTES},
        )
    if (
        counsellor is None
        or not Membership.objects.filter(
            space=space, user=counsellor, role=Role.COUNSELLOR
        ).exists()
    ):
        _fail("not_counsellor", _("Choose the counsellor who co-led this group's session."))
    attendee_ids = {a.pk for a in attendees}
    members = set(
        Membership.objects.filter(
            space=space, user_id__in=attendee_ids, role=Role.MEMBER
        ).values_list("user_id", flat=True)
    )
    if attendee_ids - members:
        _fail("attendee_not_member", _("Only members of the group can be marked as present."))
    overlapping = SessionLog.objects.filter(tutor=tutor, start__lt=end, end__gt=start)
    if log is not None:
        overlapping = overlapping.exclude(pk=log.pk)
    if overlapping.exists():
        _fail(
            "overlap",
            _("You already logged a session at this time. Sessions of one tutor cannot overlap."),
        )


def _validate_meeting(space, meeting_id, occurrence):
    from tandem.meetings import recurrence
    from tandem.meetings.models import Meeting

    meeting = Meeting.objects.filter(pk=meeting_id, space=space).first()
    if (
        meeting is None
        or occurrence is None
        or occurrence not in recurrence.original_starts(meeting, occurrence, occurrence)
    ):
        _fail("unknown_meeting", _("Choose a meeting of this group that took place."))
    return meeting


def _save_guarded(func):
    """Run a write; an overlap caught by the database becomes the same clear error."""
    try:
        with transaction.atomic():
            return func()
    except IntegrityError as error:
        if "overlap" in str(error):
            _fail(
                "overlap",
                _(
                    "You already logged a session at this time. "
                    "Sessions of one tutor cannot overlap."
                ),
            )
        raise


def create_log(
    *,
    actor,
    space,
    counsellor,
    start,
    end,
    preparation_minutes=0,
    attendees=(),
    topics="",
    methods="",
    notes="",
    meeting_id=None,
    meeting_occurrence=None,
):
    """Log a session the actor co-led as tutor; it starts as a draft.

    ``meeting_id`` and ``meeting_occurrence`` (its original start) name the
    scheduled meeting the session was, when there was one.
    """
    if not permissions.can_log_in(actor, space):
        raise PermissionDenied(_("Only a working-life tutor of this group can log its sessions."))
    attendees = list(attendees)
    if meeting_id is not None or meeting_occurrence is not None:
        _validate_meeting(space, meeting_id, meeting_occurrence)
    _validate_session(
        tutor=actor,
        space=space,
        counsellor=counsellor,
        start=start,
        end=end,
        preparation_minutes=preparation_minutes,
        attendees=attendees,
    )

    def write():
        # One tutor's logs are written one at a time, so the overlap check holds.
        get_user_model().objects.select_for_update().get(pk=actor.pk)
        _validate_session(
            tutor=actor,
            space=space,
            counsellor=counsellor,
            start=start,
            end=end,
            preparation_minutes=preparation_minutes,
            attendees=attendees,
        )
        log = SessionLog.objects.create(
            tutor=actor,
            space=space,
            counsellor=counsellor,
            date=_local_date(start, actor),
            start=start,
            end=end,
            preparation_minutes=preparation_minutes,
            topics=topics,
            methods=methods,
            notes=notes,
            meeting_id=meeting_id,
            meeting_occurrence=meeting_occurrence,
        )
        log.attendees.set(attendees)
        _audit(
            actor=actor,
            action="log.created",
            organisation_id=space.organisation_id,
            log=log,
            to_state=State.DRAFT,
        )
        return log

    return _save_guarded(write)


def update_log(
    *,
    actor,
    log,
    counsellor,
    start,
    end,
    preparation_minutes=0,
    attendees=(),
    topics="",
    methods="",
    notes="",
):
    """Correct a draft (a new one, or one sent back); only its tutor may."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=actor.pk)
        log = SessionLog.objects.select_for_update().select_related("space").get(pk=log.pk)
        if not permissions.can_edit_log(actor, log):
            raise PermissionDenied(_("Only the tutor can change a draft session log."))
        attendees = list(attendees)
        _validate_session(
            tutor=actor,
            space=log.space,
            counsellor=counsellor,
            start=start,
            end=end,
            preparation_minutes=preparation_minutes,
            attendees=attendees,
            log=log,
        )

        def write():
            log.counsellor = counsellor
            log.start, log.end = start, end
            log.date = _local_date(start, actor)
            log.preparation_minutes = preparation_minutes
            log.topics, log.methods, log.notes = topics, methods, notes
            log.save()
            log.attendees.set(attendees)
            _audit(
                actor=actor,
                action="log.updated",
                organisation_id=log.space.organisation_id,
                log=log,
                from_state=log.state,
                to_state=log.state,
            )
            return log

        return _save_guarded(write)


def _lock(log):
    return SessionLog.objects.select_for_update().select_related("space").get(pk=log.pk)


def _log_url(log):
    return reverse("recognition:log_detail", kwargs={"log_id": log.pk})


def _transition(log, *, actor, to_state, reason="", **data):
    from_state = log.state
    log.state = to_state
    _audit(
        actor=actor,
        action=f"log.{to_state}" if to_state != State.DRAFT else "log.returned",
        organisation_id=log.space.organisation_id,
        log=log,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        **data,
    )


def submit_log(*, actor, log):
    """Draft -> submitted, by its tutor; the counsellor is told."""
    with transaction.atomic():
        log = _lock(log)
        if not permissions.is_tutor_of(actor, log):
            raise PermissionDenied(_("Only the tutor who logged the session can submit it."))
        if log.state != State.DRAFT:
            _fail("not_draft", _("This session log was already submitted."))
        if not permissions.can_submit_log(actor, log):
            raise PermissionDenied(
                _("Only a working-life tutor of this group can log its sessions.")
            )
        _validate_session(
            tutor=log.tutor,
            space=log.space,
            counsellor=log.counsellor,
            start=log.start,
            end=log.end,
            preparation_minutes=log.preparation_minutes,
            attendees=list(log.attendees.all()),
            log=log,
        )
        _transition(log, actor=actor, to_state=State.SUBMITTED)
        log.submitted_at = timezone.now()
        log.returned_reason = ""
        log.save(update_fields=["state", "submitted_at", "returned_reason"])
        notify(
            users=[log.counsellor_id],
            kind="recognition.submitted",
            text=lambda: (
                _("%(tutor)s logged a session of %(date)s for you to confirm.")
                % {"tutor": log.tutor.name, "date": log.date}
            ),
            url=_log_url(log),
            space=log.space,
        )
    return log


def confirm_log(*, actor, log):
    """Submitted -> confirmed, by the counsellor named on it; coordinators are told."""
    with transaction.atomic():
        log = _lock(log)
        if log.state != State.SUBMITTED:
            _fail("not_submitted", _("Only a submitted session log can be confirmed."))
        if not permissions.can_confirm_log(actor, log):
            raise PermissionDenied(_("Only the counsellor who co-led this session can confirm it."))
        if permissions.unvouched_co_leads(log, actor, roles=[Role.COUNSELLOR]):
            _fail(
                "counsellor_not_vouched",
                _(
                    "Your role as counsellor of %(group)s has not yet been verified by a "
                    "coordinator of %(organisation)s or the operator: the tutor alone cannot "
                    "vouch for the counsellor who confirms their work."
                )
                % {"group": log.space.name, "organisation": log.space.organisation.name},
            )
        _transition(log, actor=actor, to_state=State.CONFIRMED)
        log.confirmed_at = timezone.now()
        log.confirmed_by = actor
        log.save(update_fields=["state", "confirmed_at", "confirmed_by"])
        coordinators = OrganisationRole.objects.filter(
            organisation_id=log.space.organisation_id, role=OrganisationRole.Role.COORDINATOR
        ).values_list("user_id", flat=True)
        notify(
            users=[uid for uid in coordinators if uid not in {log.tutor_id, log.counsellor_id}],
            kind="recognition.confirmed",
            text=lambda: (
                _("A session of %(date)s in %(group)s is confirmed and waits for approval.")
                % {"date": log.date, "group": log.space.name}
            ),
            url=_log_url(log),
            space=log.space,
        )
    return log


def return_log(*, actor, log, reason):
    """Send a log back to its tutor, with the reason, before it is approved."""
    reason = (reason or "").strip()
    with transaction.atomic():
        log = _lock(log)
        if log.state not in (State.SUBMITTED, State.CONFIRMED):
            _fail("cannot_return", _("Only a submitted or confirmed log can be sent back."))
        if not permissions.can_return_log(actor, log):
            raise PermissionDenied(_("You cannot send this session log back."))
        if not reason:
            _fail("reason_required", _("Say why the log goes back, so the tutor can correct it."))
        _transition(log, actor=actor, to_state=State.DRAFT, reason=reason)
        log.returned_reason = reason
        log.confirmed_at = None
        log.confirmed_by = None
        log.save(update_fields=["state", "returned_reason", "confirmed_at", "confirmed_by"])
        notify(
            users=[log.tutor_id],
            kind="recognition.returned",
            text=lambda: (
                _("Your session log of %(date)s was sent back: %(reason)s")
                % {"date": log.date, "reason": reason}
            ),
            url=_log_url(log),
            space=log.space,
        )
    return log


# --- rates, periods, approval ----------------------------------------------


def _decimal(value, *, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        _fail("not_a_number", _("%(field)s must be a number.") % {"field": field})
    if number < 0:
        _fail("negative_fee", _("%(field)s cannot be negative.") % {"field": field})
    if number != number.quantize(CENT) or number >= Decimal("100000000"):
        _fail("bad_precision", _("%(field)s takes at most two decimals.") % {"field": field})
    return number


def create_rate_card(
    *,
    actor,
    organisation,
    currency,
    fee_per_session=None,
    fee_per_hour=None,
    preparation_paid=False,
    valid_from,
    valid_until=None,
):
    """A new rate card; its validity may not overlap another in the same currency."""
    if not permissions.can_manage_money(actor, organisation.pk):
        raise PermissionDenied(_("Only a coordinator of the organisation can set its rates."))
    per_session = _decimal(fee_per_session, field=_("Fee per session"))
    per_hour = _decimal(fee_per_hour, field=_("Fee per hour"))
    if per_session is None and per_hour is None:
        _fail("no_fee", _("Give a fee per session, a fee per hour, or both."))
    if currency not in CURRENCY_CODES:
        _fail("unknown_currency", _("Choose a currency from the list."))
    if not isinstance(valid_from, date):
        _fail("valid_from_required", _("Give the first day the rate is valid."))
    if valid_until is not None and valid_until < valid_from:
        _fail("validity_reversed", _("The rate must end on or after the day it starts."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        clash = RateCard.objects.filter(organisation=organisation, currency=currency).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
        )
        if valid_until is not None:
            clash = clash.filter(valid_from__lte=valid_until)
        if clash.exists():
            _fail(
                "rate_overlap",
                _("Another rate card in %(currency)s is valid on some of these days.")
                % {"currency": currency},
            )
        card = RateCard.objects.create(
            organisation=organisation,
            currency=currency,
            fee_per_session=per_session,
            fee_per_hour=per_hour,
            preparation_paid=bool(preparation_paid),
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=actor,
        )
        _audit(
            actor=actor,
            action="rate.created",
            organisation_id=organisation.pk,
            rate_card=card.pk,
            currency=currency,
            fee_per_session=str(per_session),
            fee_per_hour=str(per_hour),
            preparation_paid=card.preparation_paid,
            valid_from=valid_from,
            valid_until=str(valid_until),
        )
    return card


def end_rate_card(*, actor, card, valid_until, successor=None):
    """Set the last day of a rate card; approved logs keep the amounts they had.

    Refused before the last day the card already priced. Logs still on their way
    dated after the new last day would be left without a rate: then the
    successor (``{"fee_per_session", "fee_per_hour", "preparation_paid"}``)
    starts the next day in the same step, or the change is refused.
    """
    if not permissions.can_manage_money(actor, card.organisation_id):
        raise PermissionDenied(_("Only a coordinator of the organisation can set its rates."))
    if not isinstance(valid_until, date) or valid_until < card.valid_from:
        _fail("validity_reversed", _("The rate must end on or after the day it starts."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=card.organisation_id)
        card = RateCard.objects.select_for_update().select_related("organisation").get(pk=card.pk)
        priced = (
            SessionLog.objects.filter(rate_card=card)
            .order_by("-date")
            .values_list("date", flat=True)
        ).first()
        if priced is not None and valid_until < priced:
            _fail(
                "rate_priced_later",
                _(
                    "This rate card already priced a session of %(date)s: its last day "
                    "cannot be before that."
                )
                % {"date": formats.date_format(priced, "SHORT_DATE_FORMAT")},
            )
        later = RateCard.objects.filter(
            organisation_id=card.organisation_id, currency=card.currency
        ).exclude(pk=card.pk)
        if later.filter(valid_from__lte=valid_until, valid_from__gt=card.valid_from).exists() and (
            card.valid_until is None or valid_until > card.valid_until
        ):
            _fail("rate_overlap", _("Another rate card is valid on some of these days."))
        waiting = SessionLog.objects.filter(
            space__organisation_id=card.organisation_id,
            state__in=(State.DRAFT, State.SUBMITTED, State.CONFIRMED),
            date__gt=valid_until,
        )
        if card.valid_until is not None:
            waiting = waiting.filter(date__lte=card.valid_until)
        other_cards = list(
            RateCard.objects.filter(organisation_id=card.organisation_id).exclude(pk=card.pk)
        )
        unpriced = [
            log.date
            for log in waiting.only("date")
            if not any(c.covers(log.date) for c in other_cards)
        ]
        if unpriced and not successor:
            _fail(
                "rate_leaves_logs_unpriced",
                _(
                    "Sessions of %(date)s and later wait for approval and would have no rate "
                    "card: give the fees of the card that follows, from the next day."
                )
                % {"date": formats.date_format(min(unpriced), "SHORT_DATE_FORMAT")},
            )
        old_until = card.valid_until
        card.valid_until = valid_until
        card.save(update_fields=["valid_until"])
        _audit(
            actor=actor,
            action="rate.ended",
            organisation_id=card.organisation_id,
            rate_card=card.pk,
            valid_until=valid_until,
        )
        if successor:
            create_rate_card(
                actor=actor,
                organisation=card.organisation,
                currency=card.currency,
                fee_per_session=successor.get("fee_per_session"),
                fee_per_hour=successor.get("fee_per_hour"),
                preparation_paid=successor.get("preparation_paid", False),
                valid_from=valid_until + timedelta(days=1),
                valid_until=old_until,
            )
    return card


def rate_card_for(organisation, day):
    """The rate card in force on ``day``; the organisation's home currency wins a tie."""
    cards = RateCard.objects.filter(organisation=organisation, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    return pick_rate_card(list(cards), organisation, day)


def pick_rate_card(cards, organisation, day):
    """Of ``cards``, the one of ``organisation`` in force on ``day``, or None."""
    cards = sorted(
        (c for c in cards if c.organisation_id == organisation.pk and c.covers(day)),
        key=lambda c: (c.currency, c.pk),
    )
    if len(cards) > 1:
        home = HOME_CURRENCY.get(organisation.country, "EUR")
        cards = [c for c in cards if c.currency == home] or cards[:1]
    return cards[0] if cards else None


def price(log, card):
    """What ``log`` comes to at ``card``: (hours, preparation hours, amount).

    The hours are rounded to cents for showing; the amount is priced from the
    exact minutes and rounded once.
    """
    hours = log.duration_hours
    preparation = (Decimal(log.preparation_minutes) / Decimal(60)).quantize(CENT)
    return hours, preparation, card.amount_for(log.end - log.start, log.preparation_minutes)


def _month(day):
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _period_for(organisation_id, day, *, create):
    """The period holding ``day``; a month (clipped to its neighbours) when none does."""
    period = Period.objects.filter(
        organisation_id=organisation_id, start__lte=day, end__gte=day
    ).first()
    if period is not None or not create:
        return period
    start, end = _month(day)
    before = (
        Period.objects.filter(organisation_id=organisation_id, end__lt=day, end__gte=start)
        .order_by("-end")
        .first()
    )
    after = (
        Period.objects.filter(organisation_id=organisation_id, start__gt=day, start__lte=end)
        .order_by("start")
        .first()
    )
    if before is not None:
        start = before.end + timedelta(days=1)
    if after is not None:
        end = after.start - timedelta(days=1)
    return Period.objects.create(organisation_id=organisation_id, start=start, end=end)


def _statement(*, tutor, organisation_id, period, currency):
    statement, _created = Statement.objects.get_or_create(
        tutor=tutor,
        period=period,
        currency=currency,
        defaults={"organisation_id": organisation_id, "closed": period.is_closed},
    )
    return statement


def _require_vouched(log, actor, organisation, roles=(Role.TUTOR, Role.COUNSELLOR)):
    """Refuse money for a co-lead whose role only ``actor`` vouched for: four eyes."""
    missing = permissions.unvouched_co_leads(log, actor, roles=roles)
    if not missing:
        return
    names = {
        user.pk: user.name
        for user in get_user_model().objects.filter(pk__in=[m[0] for m in missing])
    }
    errors = []
    for user_id, role, membership in missing:
        values = {
            "name": names.get(user_id, ""),
            "role": Role(role).label,
            "group": log.space.name,
            "organisation": organisation.name,
        }
        if membership is None:
            text = _(
                "%(name)s is no longer %(role)s of %(group)s, so nobody vouches for the role; "
                "send the log back, or have the role given again and verified."
            )
        else:
            text = _(
                "Nobody but you has vouched for %(name)s as %(role)s of %(group)s. Another "
                "coordinator of %(organisation)s or the operator must verify this role "
                "(Roles to verify) first."
            )
        errors.append(ValidationError(text % values, code="needs_countersign"))
    raise ValidationError(errors)


def approve_log(*, actor, log):
    """Confirmed -> approved by a coordinator: freeze the rate and amount, add the line.

    Locks the log row, so when two coordinators approve at once exactly one
    wins; the other gets ``already_approved``.
    """
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=log.space.organisation_id)
        log = _lock(log)
        if log.state in SessionLog.FROZEN_STATES:
            who = log.approved_by.name if log.approved_by else ""
            _fail(
                "already_approved",
                _("%(name)s already approved this session log; nothing more to do.")
                % {"name": who},
            )
        if log.state != State.CONFIRMED:
            _fail("not_confirmed", _("Only a log confirmed by the counsellor can be approved."))
        if permissions.is_tutor_of(actor, log):
            raise PermissionDenied(_("You cannot approve your own session log."))
        if not permissions.can_approve_log(actor, log):
            raise PermissionDenied(
                _(
                    "Only a coordinator of the group's organisation who neither led nor "
                    "confirmed the session can approve it."
                )
            )
        _require_vouched(log, actor, organisation)
        period = _period_for(organisation.pk, log.date, create=True)
        if period.is_closed:
            _fail(
                "period_closed",
                _("The period %(start)s – %(end)s is closed; nothing more can be approved into it.")
                % {"start": period.start, "end": period.end},
            )
        card = rate_card_for(organisation, log.date)
        if card is None:
            _fail("no_rate", _("No rate card is in force on %(date)s.") % {"date": log.date})
        hours, preparation, amount = price(log, card)
        log.rate_card = card
        log.currency = card.currency
        log.fee_per_session = card.fee_per_session
        log.fee_per_hour = card.fee_per_hour
        log.hours = hours
        log.preparation_hours = preparation if card.preparation_paid else Decimal(0)
        log.amount = amount
        log.approved_at = timezone.now()
        log.approved_by = actor
        statement = _statement(
            tutor=log.tutor,
            organisation_id=organisation.pk,
            period=period,
            currency=card.currency,
        )
        # Everything that makes the amount is in the keyed chain, so that
        # verify_audit_chain can tell when a stored figure was bent later.
        _transition(
            log,
            actor=actor,
            to_state=State.APPROVED,
            statement=statement,
            rate_card=card.pk,
            currency=card.currency,
            fee_per_session=card.fee_per_session,
            fee_per_hour=card.fee_per_hour,
            hours=hours,
            preparation_hours=log.preparation_hours,
            amount=amount,
        )
        log.save()
        StatementLine.objects.create(
            statement=statement, log=log, date=log.date, hours=hours, amount=amount
        )
    return log


def open_period(*, actor, organisation, start, end):
    """Set up a period of the coordinator's choosing (a fortnight, a term) before approvals.

    Sessions approved later on its days land on its statements instead of a month's.
    Refused when any of its days already belong to a period.
    """
    if not permissions.can_manage_money(actor, organisation.pk):
        raise PermissionDenied(_("Only a coordinator of the organisation can set up a period."))
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        _fail("period_reversed", _("The last day must be on or after the first day."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Period.objects.filter(
            organisation=organisation, start__lte=end, end__gte=start
        ).exists():
            _fail("period_overlaps_other", _("These days overlap another period."))
        period = Period.objects.create(organisation=organisation, start=start, end=end)
        _audit(
            actor=actor,
            action="period.opened",
            organisation_id=organisation.pk,
            period=period.pk,
            start=start,
            end=end,
        )
    return period


def close_period(*, actor, organisation, start, end):
    """Close a range of days: its statements close and nothing more is approved into it.

    The range is an existing period, or new days that touch no period.
    """
    if not permissions.can_manage_money(actor, organisation.pk):
        raise PermissionDenied(_("Only a coordinator of the organisation can close a period."))
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        _fail("period_reversed", _("The last day must be on or after the first day."))
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        period = Period.objects.filter(organisation=organisation, start=start, end=end).first()
        if period is None:
            if Period.objects.filter(
                organisation=organisation, start__lte=end, end__gte=start
            ).exists():
                _fail(
                    "period_overlaps",
                    _("These days overlap a period with other bounds; close that period instead."),
                )
            period = Period.objects.create(organisation=organisation, start=start, end=end)
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.is_closed:
            _fail("period_already_closed", _("This period is already closed."))
        period.closed_at = timezone.now()
        period.closed_by = actor
        period.save(update_fields=["closed_at", "closed_by"])
        Statement.objects.filter(period=period).update(closed=True)
        row = _audit(
            actor=actor,
            action="period.closed",
            organisation_id=organisation.pk,
            period=period.pk,
            start=start,
            end=end,
        )
        transaction.on_commit(lambda: _publish_head(organisation, period, actor, row))
    return period


def _publish_head(organisation, period, actor, row):
    """E-mail the chain's head to the organisation's coordinators, outside the database.

    A copy the database cannot change: ``verify_audit_chain --head`` later shows
    whether the chain still holds the row the e-mail names.
    """
    people = list(
        get_user_model()
        .objects.filter(
            organisation_roles__organisation=organisation,
            organisation_roles__role=OrganisationRole.Role.COORDINATOR,
            is_active=True,
        )
        .exclude(email="")
    )
    values = {
        "start": period.start,
        "end": period.end,
        "organisation": organisation.name,
        "name": actor.name,
        "row": row.pk,
        "hash": row.hash,
    }
    subjects = in_own_language(
        people, lambda: _("Period closed: %(start)s – %(end)s, %(organisation)s") % values
    )
    bodies = in_own_language(
        people,
        lambda: (
            _(
                "%(name)s closed the period %(start)s – %(end)s of %(organisation)s.\n\n"
                "The audit chain of the money records now ends at row %(row)s, whose hash is:\n"
                "%(hash)s\n\n"
                "Keep this e-mail. Whoever runs Tandem can check at any time that the records "
                "still match it: manage.py verify_audit_chain --head %(hash)s"
            )
            % values
        ),
    )
    for person in people:
        mail.send(subject=subjects[person.pk], body=bodies[person.pk], to=person.email)


def mark_statement_paid(*, actor, statement):
    """A closed statement is paid: it and its logs become paid, for good."""
    if not permissions.can_manage_money(actor, statement.organisation_id):
        raise PermissionDenied(_("Only a coordinator of the organisation can mark payments."))
    if statement.tutor_id == actor.pk:
        raise PermissionDenied(_("You cannot mark your own statement paid."))
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.is_paid:
            _fail("already_paid", _("This statement is already marked paid."))
        if not statement.closed:
            _fail("statement_open", _("Close the period before marking its statements paid."))
        now = timezone.now()
        statement.paid_at = now
        statement.paid_by = actor
        statement.save(update_fields=["paid_at", "paid_by"])
        logs = list(
            SessionLog.objects.select_for_update()
            .select_related("space")
            .filter(statement_line__statement=statement)
            .order_by("id")
        )
        total = sum((line.amount for line in statement.lines.all()), Decimal(0))
        _audit(
            actor=actor,
            action="statement.paid",
            organisation_id=statement.organisation_id,
            statement=statement,
            total=total,
            currency=statement.currency,
        )
        for log in logs:
            _transition(
                log, actor=actor, to_state=State.PAID, statement=statement, amount=log.amount
            )
            log.paid_at = now
            log.save(update_fields=["state", "paid_at"])
    return statement


def _adjustment_value(amount):
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        _fail("not_a_number", _("%(field)s must be a number.") % {"field": _("Amount")})
    if value == 0 or value != value.quantize(CENT) or abs(value) >= Decimal("100000000"):
        _fail("bad_amount", _("Give a non-zero amount with at most two decimals."))
    return value


def _reversed_adjustment(log, reverses):
    """The adjustment of ``log`` to cancel: not a reversal itself, not reversed yet."""
    original = (
        Adjustment.objects.filter(pk=getattr(reverses, "pk", reverses), log=log).first()
        if reverses
        else None
    )
    if original is None:
        _fail("unknown_adjustment", _("Choose an adjustment of this session log to reverse."))
    if original.reverses_id is not None or original.reversals.exists():
        _fail(
            "already_reversed",
            _("This adjustment is a reversal or is reversed already; nothing to reverse."),
        )
    return original


def _next_open_period(organisation_id, *, create):
    """The period an adjustment made today lands in: today's, or the first open one after."""
    day = timezone.localdate()
    period = _period_for(organisation_id, day, create=create)
    while period is not None and period.is_closed:
        day = period.end + timedelta(days=1)
        period = _period_for(organisation_id, day, create=create)
    return day, period


def _adjustment_effect(log, value):
    """Before and after of the log's pay and of the statement the correction lands on."""
    from . import queries

    before = log.amount + sum((a.amount for a in log.adjustments.all()), Decimal(0))
    _day, period = _next_open_period(log.space.organisation_id, create=False)
    statement = (
        Statement.objects.filter(tutor=log.tutor, period=period, currency=log.currency).first()
        if period is not None
        else None
    )
    statement_before = (
        queries.statement_totals(statement)["amount"] if statement is not None else Decimal(0)
    )
    share = Decimal(settings.TANDEM["ADJUSTMENT_SHARE_PERCENT"]) / 100
    return {
        "amount": value,
        "currency": log.currency,
        "before": before,
        "after": before + value,
        "period": period,
        "statement_before": statement_before,
        "statement_after": statement_before + value,
        "needs_second": before + value - log.amount > log.amount * share,
        "share_percent": settings.TANDEM["ADJUSTMENT_SHARE_PERCENT"],
    }


def _check_adjustment(*, actor, log, amount, reason, reverses):
    reason = (reason or "").strip()
    if not permissions.can_adjust(actor, log):
        raise PermissionDenied(
            _("Only a coordinator can adjust an approved log of their organisation.")
        )
    original = _reversed_adjustment(log, reverses) if reverses else None
    value = -original.amount if original is not None else _adjustment_value(amount)
    if not reason:
        _fail("reason_required", _("Say why the amount is corrected."))
    effect = _adjustment_effect(log, value)
    if effect["after"] < 0:
        _fail(
            "below_zero",
            _(
                "This correction would take the session's pay below zero "
                "(%(before)s → %(after)s %(currency)s)."
            )
            % {
                "before": effect["before"],
                "after": effect["after"],
                "currency": log.currency,
            },
        )
    return value, reason, original, effect


def preview_adjustment(*, actor, log, amount, reason, reverses=None):
    """Check a correction and say what it does, writing nothing: the confirmation step.

    Returns the before/after of the log's pay and of the statement it lands
    on, and whether a second coordinator must approve it.
    """
    _value, _reason, original, effect = _check_adjustment(
        actor=actor, log=log, amount=amount, reason=reason, reverses=reverses
    )
    effect["reverses"] = original
    return effect


def _write_adjustment(*, actor, log, value, reason, original, approved_by=None, created_by=None):
    organisation_id = log.space.organisation_id
    if value > 0:
        _require_vouched(
            log, actor, Organisation.objects.get(pk=organisation_id), roles=[Role.TUTOR]
        )
    day, period = _next_open_period(organisation_id, create=True)
    adjustment = Adjustment.objects.create(
        log=log,
        amount=value,
        reason=reason,
        created_by=created_by or actor,
        approved_by=approved_by,
        reverses=original,
    )
    statement = _statement(
        tutor=log.tutor, organisation_id=organisation_id, period=period, currency=log.currency
    )
    StatementLine.objects.create(
        statement=statement, adjustment=adjustment, date=day, hours=Decimal(0), amount=value
    )
    _audit(
        actor=actor,
        action="log.adjusted",
        organisation_id=organisation_id,
        log=log,
        statement=statement,
        reason=reason,
        amount=value,
        adjustment=adjustment.pk,
        reverses=original.pk if original is not None else None,
        proposed_by=adjustment.created_by_id,
    )
    return adjustment


def add_adjustment(*, actor, log, amount, reason, reverses=None):
    """Correct an approved log by a new entry that lands on the next open statement.

    Refused when it takes the log's pay below zero, or raises it by more than
    ``ADJUSTMENT_SHARE_PERCENT`` of its approved amount (``needs_second``: use
    ``request_adjustment``). ``reverses`` cancels an earlier mistaken adjustment
    with its negated amount. Locks the organisation and the log.
    """
    _check_adjustment(actor=actor, log=log, amount=amount, reason=reason, reverses=reverses)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=log.space.organisation_id)
        log = _lock(log)
        value, reason, original, effect = _check_adjustment(
            actor=actor, log=log, amount=amount, reason=reason, reverses=reverses
        )
        if effect["needs_second"]:
            _fail(
                "needs_second",
                _(
                    "This raises the session's pay by more than %(share)s%% of its amount: "
                    "a second coordinator must approve it."
                )
                % {"share": effect["share_percent"]},
            )
        return _write_adjustment(
            actor=actor, log=log, value=value, reason=reason, original=original
        )


def request_adjustment(*, actor, log, amount, reason):
    """A correction beyond the share one coordinator may make: it waits for a second one."""
    _check_adjustment(actor=actor, log=log, amount=amount, reason=reason, reverses=None)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=log.space.organisation_id)
        log = _lock(log)
        value, reason, _original, _effect = _check_adjustment(
            actor=actor, log=log, amount=amount, reason=reason, reverses=None
        )
        request = AdjustmentRequest.objects.create(
            log=log, amount=value, reason=reason, created_by=actor
        )
        _audit(
            actor=actor,
            action="adjustment.requested",
            organisation_id=log.space.organisation_id,
            log=log,
            reason=reason,
            amount=value,
            request=request.pk,
        )
    return request


def approve_adjustment_request(*, actor, request):
    """A second coordinator approves a waiting correction; it then lands like any other.

    Locks the organisation, the log and the request, so it is approved once.
    """
    with transaction.atomic():
        request = AdjustmentRequest.objects.select_for_update().get(pk=request.pk)
        log = request.log
        Organisation.objects.select_for_update().get(pk=log.space.organisation_id)
        log = _lock(log)
        if not permissions.can_adjust(actor, log):
            raise PermissionDenied(
                _("Only a coordinator can adjust an approved log of their organisation.")
            )
        if request.adjustment_id is not None:
            _fail("request_decided", _("This correction is already approved."))
        if request.created_by_id == actor.pk:
            _fail(
                "second_coordinator",
                _("Another coordinator than the one who proposed it must approve it."),
            )
        value, reason, _original, _effect = _check_adjustment(
            actor=actor, log=log, amount=request.amount, reason=request.reason, reverses=None
        )
        adjustment = _write_adjustment(
            actor=actor,
            log=log,
            value=value,
            reason=reason,
            original=None,
            approved_by=actor,
            created_by=request.created_by,
        )
        request.adjustment = adjustment
        request.save(update_fields=["adjustment"])
    return adjustment
