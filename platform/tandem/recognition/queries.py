"""Reads of session logs, statements and figures, and the ``access_*`` fetchers."""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils.dates import MONTHS, MONTHS_AP

from tandem.accounts.models import Organisation, OrganisationRole
from tandem.spaces.models import Membership, Role

from . import permissions
from .models import AuditRow, Period, RateCard, SessionLog, Statement, StatementLine

State = SessionLog.State
COUNTED = (State.APPROVED, State.PAID)


def _logs():
    return SessionLog.objects.select_related(
        "space", "space__organisation", "tutor", "counsellor", "confirmed_by", "approved_by"
    )


def access_log(user, log_id):
    """The log, if ``user`` may see it: 404 for everyone else (its existence is not told)."""
    try:
        log = _logs().get(pk=log_id)
    except (SessionLog.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.is_authenticated or not permissions.can_view_log(user, log):
        raise Http404
    return log


def access_statement(user, statement_id):
    """The statement, for its tutor and the organisation's coordinators; else 404."""
    try:
        statement = Statement.objects.select_related(
            "tutor", "organisation", "period", "paid_by"
        ).get(pk=statement_id)
    except (Statement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can_view_statement(user, statement):
        raise Http404
    return statement


def access_organisation(user, organisation_id):
    """An organisation whose money the user manages (its coordinators); else 404."""
    try:
        organisation = Organisation.objects.get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can_manage_money(user, organisation.pk):
        raise Http404
    return organisation


def access_rate_card(user, card_id):
    try:
        card = RateCard.objects.select_related("organisation").get(pk=card_id)
    except (RateCard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can_manage_money(user, card.organisation_id):
        raise Http404
    return card


def my_logs(user):
    return _logs().filter(tutor=user).order_by("-start", "-id")


def to_confirm(user):
    """Submitted logs naming ``user`` as counsellor, in groups they still co-lead."""
    still_counsellor = Membership.objects.filter(user=user, role=Role.COUNSELLOR).values("space_id")
    return (
        _logs()
        .filter(state=State.SUBMITTED, counsellor=user, space_id__in=still_counsellor)
        .exclude(tutor=user)
        .order_by("start", "id")
    )


def to_approve(user):
    """Confirmed logs of the organisations ``user`` coordinates, not their own work."""
    orgs = OrganisationRole.objects.filter(
        user=user, role=OrganisationRole.Role.COORDINATOR
    ).values("organisation_id")
    return (
        _logs()
        .filter(state=State.CONFIRMED, space__organisation_id__in=orgs, space__archived=False)
        .exclude(Q(tutor=user) | Q(counsellor=user) | Q(confirmed_by=user))
        .order_by("date", "id")
    )


def _count(logs):
    return Subquery(
        logs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def dashboard_figures(user):
    """What waits on the person and the organisations they coordinate, in one query.

    It starts from the person's own row, so it answers even when nothing waits:
    one row per organisation they coordinate (or one without), each with the
    same counts, every count an indexed lookup of its own.
    """
    own = SessionLog.objects.filter(tutor_id=user.pk)
    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .alias(
            coordinating=FilteredRelation(
                "organisation_roles",
                condition=Q(organisation_roles__role=OrganisationRole.Role.COORDINATOR),
            )
        )
        .values(
            organisation_id=F("coordinating__organisation_id"),
            organisation_name=F("coordinating__organisation__name"),
            drafts=_count(own.filter(state=State.DRAFT)),
            confirm=_count(to_confirm(user)),
            approve=_count(to_approve(user)),
            logged=Exists(own),
        )
        .order_by("organisation_name")
    )
    if not rows:  # the person's row is gone (an account erased meanwhile)
        return {"drafts": 0, "confirm": 0, "approve": 0, "logged": False, "organisations": []}
    first = rows[0]
    return {
        "drafts": first["drafts"],
        "confirm": first["confirm"],
        "approve": first["approve"],
        "logged": first["logged"],
        "organisations": [
            {"pk": row["organisation_id"], "name": row["organisation_name"]}
            for row in rows
            if row["organisation_id"] is not None
        ],
    }


def waiting_on(log):
    """Who the log waits for, in words."""
    from django.utils.translation import gettext as _

    if log.state == State.DRAFT:
        return _("You: correct and submit") if log.returned_reason else _("You: submit")
    if log.state == State.SUBMITTED:
        return _("%(name)s: confirm") % {"name": log.counsellor.name}
    if log.state == State.CONFIRMED:
        return _("A coordinator: approve")
    if log.state == State.APPROVED:
        return _("Payment with the period's statement")
    return ""


def audit_rows(log):
    return AuditRow.objects.filter(log=log).select_related("actor").order_by("id")


def log_with_attendees(log):
    return list(log.attendees.order_by("display_name", "username"))


def statements_of(user):
    return (
        Statement.objects.filter(tutor=user)
        .select_related("organisation", "period")
        .annotate(total=Sum("lines__amount"), line_count=Count("lines"))
        .order_by("-period__start", "currency")
    )


def statements_of_organisation(organisation):
    return (
        Statement.objects.filter(organisation=organisation)
        .select_related("tutor", "period")
        .annotate(total=Sum("lines__amount"), line_count=Count("lines"))
        .order_by("-period__start", "tutor__display_name", "tutor__username", "currency")
    )


def statement_lines(statement):
    return (
        StatementLine.objects.filter(statement=statement)
        .select_related("log", "log__space", "adjustment", "adjustment__log")
        .order_by("date", "id")
    )


def statement_totals(lines):
    hours = sum((line.hours for line in lines), Decimal(0))
    preparation = sum((line.preparation_hours for line in lines), Decimal(0))
    amount = sum((line.amount for line in lines), Decimal(0))
    return {"hours": hours, "preparation": preparation, "amount": amount}


def earned_in_year(user, year):
    """What the tutor earned in ``year`` per currency: lines dated in the year."""
    rows = (
        StatementLine.objects.filter(statement__tutor=user, date__year=year)
        .values("statement__currency")
        .annotate(total=Sum("amount"), hours=Sum("hours"))
        .order_by("statement__currency")
    )
    return [
        {"currency": r["statement__currency"], "total": r["total"], "hours": r["hours"]}
        for r in rows
    ]


def periods_of(organisation):
    return Period.objects.filter(organisation=organisation).select_related("closed_by")


def rate_cards_of(organisation):
    return RateCard.objects.filter(organisation=organisation).order_by("currency", "-valid_from")


def overview(organisation, start, end):
    """Approved and paid sessions in [start, end], per group and per tutor, per currency."""
    base = SessionLog.objects.filter(
        space__organisation=organisation, state__in=COUNTED, date__gte=start, date__lte=end
    )
    per_group = (
        base.values("space_id", "space__name", "currency")
        .annotate(sessions=Count("id"), hours=Sum("hours"), amount=Sum("amount"))
        .order_by("space__name", "currency")
    )
    per_tutor = (
        base.values("tutor_id", "tutor__display_name", "tutor__username", "currency")
        .annotate(sessions=Count("id"), hours=Sum("hours"), amount=Sum("amount"))
        .order_by("tutor__display_name", "tutor__username", "currency")
    )
    return list(per_group), list(per_tutor)


def hours_by_month(logs, year):
    """Twelve rows {month, hours, sessions} of approved and paid logs in ``year``."""
    rows = (
        logs.filter(state__in=COUNTED, date__year=year)
        .annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(hours=Sum("hours"), sessions=Count("id"))
        .order_by("month")
    )
    found = {r["month"]: r for r in rows}
    result = []
    for month in range(1, 13):
        row = found.get(month, {})
        result.append(
            {
                "month": month,
                "name": MONTHS[month],
                "label": MONTHS_AP[month],
                "hours": row.get("hours") or Decimal(0),
                "sessions": row.get("sessions") or 0,
            }
        )
    peak = max((r["hours"] for r in result), default=Decimal(0))
    for r in result:
        r["percent"] = int(r["hours"] * 100 / peak) if peak else 0
    return result


def organisation_logs(organisation):
    return SessionLog.objects.filter(space__organisation=organisation)


def by_currency(rows):
    totals = defaultdict(Decimal)
    for row in rows:
        totals[row["currency"]] += row["amount"] or Decimal(0)
    return dict(sorted(totals.items()))


def queue_prefetch(logs):
    return logs.prefetch_related(
        Prefetch("attendees", queryset=_attendee_queryset(), to_attr="present")
    )


def _attendee_queryset():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.order_by("display_name", "username")


def attach_expected_amounts(logs):
    """Put on each log what it would come to if approved now (one query for all)."""
    from .actions import pick_rate_card, price

    organisations = {log.space.organisation_id for log in logs}
    cards = list(RateCard.objects.filter(organisation_id__in=organisations)) if logs else []
    for log in logs:
        card = pick_rate_card(cards, log.space.organisation, log.date)
        log.expected = price(log, card)[2] if card else None
        log.expected_currency = card.currency if card else ""
    return logs


def raise_denied(message):
    raise PermissionDenied(message)


def access_organisation_roles(user, organisation_id):
    """An organisation whose co-leads' roles ``user`` may verify: its coordinators and the
    operator; 404 for everyone else."""
    try:
        organisation = Organisation.objects.get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.is_authenticated or not (
        (user.is_superuser and user.is_active)
        or permissions.can_manage_money(user, organisation.pk)
    ):
        raise Http404
    return organisation


def roles_to_verify(organisation):
    """Tutors' and counsellors' roles in the organisation's peer groups that no second pair of
    eyes has verified yet, oldest first."""
    return (
        Membership.objects.filter(
            space__organisation=organisation,
            role__in=[Role.TUTOR, Role.COUNSELLOR],
            verified_by__isnull=True,
        )
        .select_related("space", "user", "granted_by")
        .order_by("joined", "id")
    )
