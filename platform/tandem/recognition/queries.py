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
from django.db.models.functions import Coalesce, ExtractMonth
from django.http import Http404
from django.utils.dates import MONTHS, MONTHS_AP

from tandem.accounts.models import Organisation, OrganisationRole
from tandem.spaces.models import Membership, Role

from . import permissions
from .models import (
    CENT,
    AdjustmentRequest,
    AuditRow,
    Period,
    RateCard,
    SessionLog,
    Statement,
    StatementLine,
)

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


def access_adjustment_request(user, request_id):
    """A correction waiting for approval, for coordinators who may adjust its log; else 404."""
    try:
        waiting = AdjustmentRequest.objects.select_related("log", "log__space", "created_by").get(
            pk=request_id
        )
    except (AdjustmentRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not user.is_authenticated or not permissions.can_adjust(user, waiting.log):
        raise Http404
    return waiting


def adjustments_of(log):
    """The log's adjustments, each reversal listed right under the one it cancels."""
    rows = list(
        log.adjustments.select_related("created_by", "approved_by").order_by("created", "id")
    )
    by_original = {a.reverses_id: a for a in rows if a.reverses_id}
    ordered = []
    for adjustment in rows:
        if adjustment.reverses_id:
            continue
        adjustment.reversal = by_original.get(adjustment.pk)
        ordered.append(adjustment)
        if adjustment.reversal is not None:
            ordered.append(adjustment.reversal)
    return ordered


def waiting_adjustments(log):
    return list(
        AdjustmentRequest.objects.filter(log=log, adjustment__isnull=True)
        .select_related("created_by")
        .order_by("id")
    )


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


def pay_totals(lines, *by):
    """The one sum of pay, for every page and download: statement lines grouped ``by``.

    ``lines`` is a queryset of statement lines; sessions and adjustments both
    count, so the organisation's overview, statements, the tutor's year and the
    PDF and CSV always agree. Each row has ``amount``, ``hours``, ``preparation``
    (paid preparation hours frozen on the logs) and ``sessions``.
    """
    sums = {
        "amount": Sum("amount"),
        "hours": Sum("hours"),
        "preparation": Sum("log__preparation_hours"),
        "sessions": Count("log_id"),
    }
    if not by:
        rows = [lines.order_by().aggregate(**sums)]
    else:
        rows = list(lines.values(*by).annotate(**sums).order_by(*by))
    for row in rows:
        for key in ("amount", "hours", "preparation"):
            # SQLite hands sums back with float noise; the fields hold cents.
            row[key] = Decimal(row[key] or 0).quantize(CENT)
    return rows


def statement_totals(statement):
    """A statement's totals: hours, preparation hours, amount (``pay_totals``)."""
    return pay_totals(StatementLine.objects.filter(statement=statement))[0]


def statements_of(user):
    return (
        Statement.objects.filter(tutor=user)
        .select_related("organisation", "period")
        .annotate(line_count=Count("lines"))
        .order_by("-period__start", "currency")
    )


def statements_of_organisation(organisation):
    return (
        Statement.objects.filter(organisation=organisation)
        .select_related("tutor", "period")
        .annotate(line_count=Count("lines"))
        .order_by("-period__start", "tutor__display_name", "tutor__username", "currency")
    )


def with_totals(statements):
    """Put ``total`` (from ``pay_totals``) on each statement of a page: one query."""
    statements = list(statements)
    rows = pay_totals(
        StatementLine.objects.filter(statement__in=[s.pk for s in statements]), "statement_id"
    )
    found = {row["statement_id"]: row["amount"] for row in rows}
    for statement in statements:
        statement.total = found.get(statement.pk, Decimal(0))
    return statements


def statement_lines(statement):
    return (
        StatementLine.objects.filter(statement=statement)
        .select_related("log", "log__space", "adjustment", "adjustment__log")
        .order_by("date", "id")
    )


def earned_in_year(user, year):
    """What the tutor earned in ``year`` per currency: lines dated in the year."""
    rows = pay_totals(
        StatementLine.objects.filter(statement__tutor=user, date__year=year).annotate(
            currency=F("statement__currency")
        ),
        "currency",
    )
    return [{"currency": r["currency"], "total": r["amount"], "hours": r["hours"]} for r in rows]


def periods_of(organisation):
    return Period.objects.filter(organisation=organisation).select_related("closed_by")


def next_period_to_close(organisation):
    """(first day, last day) to offer for closing: the oldest open period that has begun,
    else the month after the last closed period (or last month), before any later period."""
    import calendar
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    periods = Period.objects.filter(organisation=organisation)
    open_period = periods.filter(closed_at__isnull=True, start__lte=today).order_by("start").first()
    if open_period is not None:
        return open_period.start, open_period.end
    last_closed = periods.filter(closed_at__isnull=False).order_by("-end").first()
    if last_closed is not None:
        start = last_closed.end + datetime.timedelta(days=1)
    else:
        start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    following = periods.filter(start__gt=start, start__lte=end).order_by("start").first()
    if following is not None:
        end = following.start - datetime.timedelta(days=1)
    return start, end


def rate_cards_of(organisation):
    return RateCard.objects.filter(organisation=organisation).order_by("currency", "-valid_from")


def overview(organisation, start, end):
    """Pay on statement lines dated in [start, end], per group and per tutor, per currency.

    Sessions count on their date, adjustments on the day they were made and in
    the group of the log they correct: the same lines, and the same sums
    (``pay_totals``), as the statements.
    """
    lines = StatementLine.objects.filter(
        statement__organisation=organisation, date__gte=start, date__lte=end
    ).annotate(
        currency=F("statement__currency"),
        group_id=Coalesce("log__space_id", "adjustment__log__space_id"),
        group_name=Coalesce("log__space__name", "adjustment__log__space__name"),
        tutor_key=F("statement__tutor_id"),
        tutor_name=F("statement__tutor__display_name"),
        tutor_username=F("statement__tutor__username"),
    )
    per_group = pay_totals(lines, "group_name", "group_id", "currency")
    per_tutor = pay_totals(lines, "tutor_name", "tutor_username", "tutor_key", "currency")
    return per_group, per_tutor


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


def expected_totals(logs):
    """The batch total of the chosen logs per currency, and how many have no rate card."""
    totals = defaultdict(Decimal)
    for log in logs:
        if log.expected is not None:
            totals[log.expected_currency] += log.expected
    return {
        "batch_totals": dict(sorted(totals.items())),
        "unpriced": sum(1 for log in logs if log.expected is None),
    }


def already_approved_count(user, ids):
    """Of ``ids``, the logs already approved or paid that ``user`` coordinates."""
    if not ids:
        return 0
    orgs = OrganisationRole.objects.filter(
        user=user, role=OrganisationRole.Role.COORDINATOR
    ).values("organisation_id")
    return SessionLog.objects.filter(
        pk__in=ids, state__in=COUNTED, space__organisation_id__in=orgs
    ).count()


def raise_denied(message):
    raise PermissionDenied(message)


def inexact_amounts():
    """Approved and paid logs whose frozen amount is not the exact one: (log, exact, difference).

    A log stays listed until an adjustment of exactly the difference corrects it.
    Read in chunks; the frozen logs themselves never change.
    """
    rows = []
    logs = (
        SessionLog.objects.filter(state__in=COUNTED)
        .select_related("rate_card", "tutor", "space__organisation")
        .prefetch_related("adjustments")
        .order_by("id")
    )
    for log in logs.iterator(chunk_size=500):
        exact = log.exact_amount()
        difference = exact - log.amount
        if difference and all(a.amount != difference for a in log.adjustments.all()):
            rows.append((log, exact, difference))
    return rows


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
