from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tandem.spaces import actions as space_actions
from tandem.spaces.models import Membership
from tandem.spaces.permissions import Perm
from tandem.spaces.queries import access_space

from . import actions, exports, meetings_link, permissions, queries
from .forms import (
    AdjustmentForm,
    EndRateForm,
    RangeForm,
    RateCardForm,
    ReasonForm,
    SessionLogForm,
)

MAX_BULK = 100


def _page(request, queryset):
    return Paginator(queryset, settings.TANDEM["PAGE_SIZE"]).get_page(request.GET.get("page"))


def _error_text(error):
    return " ".join(error.messages)


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def my_sessions(request):
    """The tutor's sessions, with their states and who each waits on."""
    page = _page(request, queries.my_logs(request.user))
    for log in page:
        log.waiting = queries.waiting_on(log)
    year = _year(request)
    return render(
        request,
        "recognition/session_list.html",
        {
            "page": page,
            "year": year,
            "earned": queries.earned_in_year(request.user, year),
            "months": queries.hours_by_month(queries.my_logs(request.user), year),
        },
    )


@login_required
def log_new(request, space_id):
    space = access_space(request.user, space_id, Perm.LOG_SESSION)
    if not space.is_peer_group:
        raise Http404
    initial = meetings_link.prefill(
        space, request.GET.get("meeting"), request.GET.get("occurrence")
    )
    form = SessionLogForm(request.POST or None, space=space, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting_id, occurrence = meetings_link.parse(data.get("meeting"), data.get("occurrence"))
        try:
            log = actions.create_log(
                meeting_id=meeting_id,
                meeting_occurrence=occurrence,
                actor=request.user,
                space=space,
                counsellor=data["counsellor"],
                start=data["start"],
                end=data["end"],
                preparation_minutes=data["preparation_minutes"],
                attendees=data["attendees"],
                topics=data["topics"],
                methods=data["methods"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session is logged as a draft. Submit it when ready."))
            return redirect("recognition:log_detail", log_id=log.pk)
    return render(
        request,
        "recognition/session_form.html",
        {
            "space": space,
            "form": form,
            "log": None,
            "recent": meetings_link.recent(space, request.user),
            "from_meeting": initial.get("meeting_title", ""),
        },
    )


@login_required
def log_edit(request, log_id):
    log = queries.access_log(request.user, log_id)
    if not permissions.can_edit_log(request.user, log):
        raise PermissionDenied
    form = SessionLogForm(
        request.POST or None, space=log.space, initial=SessionLogForm.initial_for(log)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_log(
                actor=request.user,
                log=log,
                counsellor=data["counsellor"],
                start=data["start"],
                end=data["end"],
                preparation_minutes=data["preparation_minutes"],
                attendees=data["attendees"],
                topics=data["topics"],
                methods=data["methods"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session log is saved."))
            return redirect("recognition:log_detail", log_id=log.pk)
    return render(
        request, "recognition/session_form.html", {"space": log.space, "form": form, "log": log}
    )


@login_required
def log_detail(request, log_id):
    log = queries.access_log(request.user, log_id)
    user = request.user
    return render(
        request,
        "recognition/session_detail.html",
        {
            "log": log,
            "attendees": queries.log_with_attendees(log),
            "audit": queries.audit_rows(log),
            "adjustments": queries.adjustments_of(log),
            "waiting_adjustments": queries.waiting_adjustments(log),
            "see_amounts": permissions.can_see_amounts(user, log),
            "can_edit": permissions.can_edit_log(user, log),
            "can_confirm": permissions.can_confirm_log(user, log),
            "can_approve": permissions.can_approve_log(user, log),
            "can_return": permissions.can_return_log(user, log),
            "can_adjust": permissions.can_adjust(user, log),
            "waiting": queries.waiting_on(log) if log.tutor_id == user.pk else "",
            "reason_form": ReasonForm(),
            "adjust_form": AdjustmentForm(),
        },
    )


def _act(request, log_id, action, done, **extra):
    log = queries.access_log(request.user, log_id)
    try:
        action(actor=request.user, log=log, **extra)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied as error:
        if not str(error):
            raise
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("recognition:log_detail", log_id=log.pk)


@login_required
@require_POST
def log_submit(request, log_id):
    return _act(request, log_id, actions.submit_log, _("Submitted to the counsellor."))


@login_required
@require_POST
def log_confirm(request, log_id):
    return _act(request, log_id, actions.confirm_log, _("Confirmed; a coordinator approves next."))


@login_required
@require_POST
def log_approve(request, log_id):
    return _act(request, log_id, actions.approve_log, _("Approved."))


@login_required
@require_POST
def log_return(request, log_id):
    return _act(
        request,
        log_id,
        actions.return_log,
        _("Sent back to the tutor."),
        reason=request.POST.get("reason", ""),
    )


@login_required
def log_adjust(request, log_id):
    """Correct an approved log: the form, then a confirmation with the before/after totals.

    A correction beyond what one coordinator may make goes to a second one.
    """
    log = queries.access_log(request.user, log_id)
    if not permissions.can_adjust(request.user, log):
        raise PermissionDenied
    original = None
    reverses = request.POST.get("reverses") or request.GET.get("reverses") or ""
    if reverses.isdigit():
        original = log.adjustments.filter(pk=int(reverses)).first()
    initial = {"amount": -original.amount, "reverses": original.pk} if original is not None else {}
    form = AdjustmentForm(request.POST or None, initial=initial)
    effect = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "actor": request.user,
            "log": log,
            "amount": data["amount"],
            "reason": data["reason"],
        }
        try:
            effect = actions.preview_adjustment(**values, reverses=data["reverses"])
            if request.POST.get("confirm") == "yes":
                # A reversal is never a request: it must stay linked to what it reverses,
                # so one beyond the share is refused by add_adjustment, with its reason.
                if effect["needs_second"] and not data["reverses"]:
                    actions.request_adjustment(**values)
                    messages.success(
                        request,
                        _("The correction waits for a second coordinator's approval."),
                    )
                else:
                    actions.add_adjustment(**values, reverses=data["reverses"])
                    messages.success(request, _("The adjustment is on the next open statement."))
                return redirect("recognition:log_detail", log_id=log.pk)
        except ValidationError as error:
            form.add_error(None, error)
            effect = None
    return render(
        request,
        "recognition/adjustment_form.html",
        {"log": log, "form": form, "effect": effect, "original": original},
    )


@login_required
@require_POST
def adjustment_approve(request, request_id):
    """A second coordinator approves a correction waiting on the log's page."""
    waiting = queries.access_adjustment_request(request.user, request_id)
    try:
        actions.approve_adjustment_request(actor=request.user, request=waiting)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The adjustment is on the next open statement."))
    return redirect("recognition:log_detail", log_id=waiting.log_id)


@login_required
def to_confirm(request):
    if "counsellor" not in permissions.roles_of(request.user):
        raise Http404
    page = _page(request, queries.queue_prefetch(queries.to_confirm(request.user)))
    return render(request, "recognition/confirm_queue.html", {"page": page})


@login_required
def to_approve(request):
    if "coordinator" not in permissions.roles_of(request.user):
        raise Http404
    page = _page(request, queries.queue_prefetch(queries.to_approve(request.user)))
    page.object_list = queries.attach_expected_amounts(list(page.object_list))
    return render(request, "recognition/approve_queue.html", {"page": page})


def _chosen_ids(request):
    ids = []
    for raw in request.POST.getlist("log")[:MAX_BULK]:
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    return ids


def _selected(request):
    return queries.to_approve(request.user).filter(pk__in=_chosen_ids(request))


@login_required
@require_POST
def approve_review(request):
    """One confirmation page for the logs chosen in the queue; nothing is written yet."""
    logs = queries.attach_expected_amounts(list(queries.queue_prefetch(_selected(request))))
    if not logs:
        messages.error(request, _("Choose at least one session log to approve."))
        return redirect("recognition:to_approve")
    return render(
        request,
        "recognition/approve_review.html",
        {"logs": logs, **queries.expected_totals(logs)},
    )


@login_required
@require_POST
def approve_bulk(request):
    """Approve the chosen logs; say how many were approved and why any were not."""
    ids = _chosen_ids(request)
    queue = list(_selected(request))
    approved, already, failed = 0, [], []
    for log in queue:
        try:
            actions.approve_log(actor=request.user, log=log)
            approved += 1
        except ValidationError as error:
            if getattr(error, "code", None) == "already_approved":
                already.append(log)
            else:
                failed.append(f"{log.date} {log.tutor.name}: {_error_text(error)}")
        except PermissionDenied as error:
            failed.append(f"{log.date} {log.tutor.name}: {error}")
    outside = set(ids) - {log.pk for log in queue}
    already_count = len(already) + queries.already_approved_count(request.user, outside)
    other = len(outside) - (already_count - len(already))
    if approved:
        messages.success(
            request,
            ngettext("One session log approved.", "%(count)d session logs approved.", approved)
            % {"count": approved},
        )
    if already_count:
        messages.info(
            request,
            ngettext(
                "One session log was already approved: nothing more to do.",
                "%(count)d session logs were already approved: nothing more to do.",
                already_count,
            )
            % {"count": already_count},
        )
    if other:
        messages.error(
            request,
            ngettext(
                "One session log was skipped: it is not in your queue to approve.",
                "%(count)d session logs were skipped: they are not in your queue to approve.",
                other,
            )
            % {"count": other},
        )
    for text in failed:
        messages.error(request, text)
    if not (approved or already_count or other or failed):
        messages.error(request, _("Choose at least one session log to approve."))
    return redirect("recognition:to_approve")


def _range(request):
    today = timezone.localdate()
    form = RangeForm(request.GET or None, prefix="range")
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    start, end = actions._month(today)
    return RangeForm(initial={"start": start, "end": end}, prefix="range"), start, end


@login_required
def organisation_overview(request, organisation_id):
    """Figures of one organisation: per group, per tutor, hours per month, periods."""
    organisation = queries.access_organisation(request.user, organisation_id)
    form, start, end = _range(request)
    per_group, per_tutor = queries.overview(organisation, start, end)
    year = _year(request)
    periods = _page(request, queries.periods_of(organisation))
    close_start, close_end = queries.next_period_to_close(organisation)
    return render(
        request,
        "recognition/organisation_overview.html",
        {
            "organisation": organisation,
            "form": form,
            "start": start,
            "end": end,
            "per_group": per_group,
            "per_tutor": per_tutor,
            "totals": queries.by_currency(per_tutor),
            "year": year,
            "months": queries.hours_by_month(queries.organisation_logs(organisation), year),
            "periods": periods,
            "close_form": RangeForm(
                initial={"start": close_start, "end": close_end}, prefix="close"
            ),
            "open_form": RangeForm(prefix="open"),
        },
    )


def _period_form(request, organisation_id, action, done, prefix=None):
    """The two period forms of the organisation page: a range of days, then one action."""
    organisation = queries.access_organisation(request.user, organisation_id)
    form = RangeForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            action(
                actor=request.user,
                organisation=organisation,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, done)
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect("recognition:organisation", organisation_id=organisation.pk)


@login_required
@require_POST
def period_open(request, organisation_id):
    return _period_form(
        request, organisation_id, actions.open_period, _("The period is open."), prefix="open"
    )


@login_required
@require_POST
def period_close(request, organisation_id):
    return _period_form(
        request, organisation_id, actions.close_period, _("The period is closed."), prefix="close"
    )


@login_required
def rates(request, organisation_id):
    organisation = queries.access_organisation(request.user, organisation_id)
    form = RateCardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.create_rate_card(actor=request.user, organisation=organisation, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The rate card is saved."))
            return redirect("recognition:rates", organisation_id=organisation.pk)
    return render(
        request,
        "recognition/ratecard_list.html",
        {
            "organisation": organisation,
            "cards": queries.rate_cards_of(organisation),
            "form": form,
            "end_form": EndRateForm(),
        },
    )


@login_required
@require_POST
def rate_end(request, card_id):
    card = queries.access_rate_card(request.user, card_id)
    form = EndRateForm(request.POST)
    if form.is_valid():
        try:
            actions.end_rate_card(
                actor=request.user,
                card=card,
                valid_until=form.cleaned_data["valid_until"],
                successor=form.successor(),
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The rate card's last day is set."))
    elif "valid_until" in form.errors:
        messages.error(request, _("Give the last day of the rate card."))
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect("recognition:rates", organisation_id=card.organisation_id)


@login_required
def roles_to_verify(request, organisation_id):
    """Co-leads' roles waiting for a second pair of eyes before their work can be paid."""
    organisation = queries.access_organisation_roles(request.user, organisation_id)
    page = _page(request, queries.roles_to_verify(organisation))
    for membership in page.object_list:
        membership.may_verify = request.user.pk not in {
            membership.granted_by_id,
            membership.user_id,
        }
    return render(
        request,
        "recognition/roles_to_verify.html",
        {"organisation": organisation, "page": page},
    )


@login_required
@require_POST
def role_verify(request, organisation_id, membership_id):
    organisation = queries.access_organisation_roles(request.user, organisation_id)
    membership = get_object_or_404(
        Membership.objects.select_related("space", "user"),
        pk=membership_id,
        space__organisation=organisation,
    )
    try:
        space_actions.verify_membership(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Verified: %(name)s as %(role)s of %(group)s.")
            % {
                "name": membership.user.name,
                "role": membership.get_role_display(),
                "group": membership.space.name,
            },
        )
    return redirect("recognition:roles_to_verify", organisation_id=organisation.pk)


@login_required
def organisation_statements(request, organisation_id):
    organisation = queries.access_organisation(request.user, organisation_id)
    page = _page(request, queries.statements_of_organisation(organisation))
    page.object_list = queries.with_totals(page.object_list)
    return render(
        request,
        "recognition/statement_list.html",
        {"organisation": organisation, "page": page, "mine": False},
    )


@login_required
def my_statements(request):
    year = _year(request)
    page = _page(request, queries.statements_of(request.user))
    page.object_list = queries.with_totals(page.object_list)
    return render(
        request,
        "recognition/statement_list.html",
        {
            "page": page,
            "mine": True,
            "year": year,
            "earned": queries.earned_in_year(request.user, year),
        },
    )


@login_required
def statement_detail(request, statement_id):
    statement = queries.access_statement(request.user, statement_id)
    lines = list(queries.statement_lines(statement))
    return render(
        request,
        "recognition/statement_detail.html",
        {
            "statement": statement,
            "lines": lines,
            "totals": queries.statement_totals(statement),
            "manage": permissions.can_manage_money(request.user, statement.organisation_id),
        },
    )


@login_required
@require_POST
def statement_paid(request, statement_id):
    statement = queries.access_statement(request.user, statement_id)
    if not permissions.can_manage_money(request.user, statement.organisation_id):
        raise PermissionDenied
    try:
        actions.mark_statement_paid(actor=request.user, statement=statement)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The statement is marked paid."))
    return redirect("recognition:statement_detail", statement_id=statement.pk)


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def statement_csv(request, statement_id):
    statement = queries.access_statement(request.user, statement_id)
    lines = list(queries.statement_lines(statement))
    return _download(
        exports.statement_csv(statement, lines),
        "text/csv; charset=utf-8",
        exports.filename(statement, "csv"),
    )


@login_required
def statement_pdf(request, statement_id):
    statement = queries.access_statement(request.user, statement_id)
    lines = list(queries.statement_lines(statement))
    return _download(
        exports.statement_pdf(statement, lines),
        "application/pdf",
        exports.filename(statement, "pdf"),
    )
