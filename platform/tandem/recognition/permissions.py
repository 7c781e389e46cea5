"""Who may do what with session logs, rates and statements.

Built on ``tandem.spaces.permissions``: a tutor logs (``LOG_SESSION``), the
co-leading counsellor confirms (``CONFIRM_LOG``), a coordinator of the
group's organisation approves (``APPROVE_LOG``) and sees rates and amounts
(``VIEW_RATES``). The predicates add what a role alone cannot say: whose log
it is, who co-led it, that nobody approves their own work, and that nobody
pays a co-lead whose role only they vouched for (``unvouched_co_leads``).
"""

from tandem.spaces.models import Membership, Role
from tandem.spaces.permissions import Perm, can, is_org_coordinator, trusted_endorsers

from .models import SessionLog

State = SessionLog.State


def can_log_in(user, space):
    return space.is_peer_group and can(user, Perm.LOG_SESSION, space)


def is_tutor_of(user, log):
    return user.is_authenticated and log.tutor_id == user.pk


def can_edit_log(user, log):
    return is_tutor_of(user, log) and log.state == State.DRAFT and can_log_in(user, log.space)


def can_submit_log(user, log):
    return can_edit_log(user, log)


def can_confirm_log(user, log):
    """Only the counsellor named on the log, still a counsellor of its group."""
    return (
        user.is_authenticated
        and log.state == State.SUBMITTED
        and log.counsellor_id == user.pk
        and log.tutor_id != user.pk
        and can(user, Perm.CONFIRM_LOG, log.space)
    )


def can_approve_log(user, log):
    """A coordinator of the group's organisation who neither led nor confirmed it."""
    return (
        user.is_authenticated
        and log.state == State.CONFIRMED
        and user.pk not in {log.tutor_id, log.counsellor_id, log.confirmed_by_id}
        and can(user, Perm.APPROVE_LOG, log.space)
    )


def can_return_log(user, log):
    if log.state == State.SUBMITTED:
        return can_confirm_log(user, log) or _approver(user, log)
    if log.state == State.CONFIRMED:
        return _approver(user, log)
    return False


def _approver(user, log):
    return (
        user.is_authenticated
        and user.pk not in {log.tutor_id, log.counsellor_id}
        and can(user, Perm.APPROVE_LOG, log.space)
    )


def is_coordinator_for(user, log):
    return can(user, Perm.VIEW_RATES, log.space)


def can_view_log(user, log):
    """The tutor, the counsellor named on it (while still a co-lead), coordinators."""
    if is_tutor_of(user, log):
        return True
    if log.counsellor_id == user.pk and can(user, Perm.CONFIRM_LOG, log.space):
        return True
    return is_coordinator_for(user, log)


def can_see_amounts(user, log):
    """Amounts are the tutor's own business and their coordinators'; not the counsellor's."""
    return is_tutor_of(user, log) or is_coordinator_for(user, log)


def can_adjust(user, log):
    return log.state in SessionLog.FROZEN_STATES and _approver(user, log)


def can_manage_money(user, organisation_id):
    """Rates, periods and statements of an organisation: its coordinators."""
    return is_org_coordinator(user, organisation_id)


def can_view_statement(user, statement):
    return (user.is_authenticated and statement.tutor_id == user.pk) or can_manage_money(
        user, statement.organisation_id
    )


def is_counsellor_of(user, space):
    return Membership.objects.filter(space=space, user=user, role=Role.COUNSELLOR).exists()


def roles_of(user):
    """Which recognition work a person has: {"tutor", "counsellor", "coordinator"}, one query."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from tandem.accounts.models import OrganisationRole

    if not user.is_authenticated:
        return set()
    memberships = Membership.objects.filter(user=OuterRef("pk"))
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            tutor=Exists(memberships.filter(role=Role.TUTOR))
            | Exists(SessionLog.objects.filter(tutor=OuterRef("pk"))),
            counsellor=Exists(memberships.filter(role=Role.COUNSELLOR)),
            coordinator=Exists(
                OrganisationRole.objects.filter(
                    user=OuterRef("pk"), role=OrganisationRole.Role.COORDINATOR
                )
            ),
        )
        .first()
    )
    return {name for name, has in (row or {}).items() if has}


def _co_lead(log, user_id, role):
    return (
        Membership.objects.select_related("space")
        .filter(space_id=log.space_id, user_id=user_id, role=role)
        .first()
    )


def unvouched_co_leads(log, actor, *, roles=(Role.TUTOR, Role.COUNSELLOR)):
    """The co-leads of ``log`` whose role nobody but ``actor`` (or the co-leads) vouched for.

    Four eyes: a coordinator of the organisation or the operator, other than
    the one acting on the money and other than the log's tutor and counsellor,
    must have granted or verified each role. Returns ``(user_id, role,
    membership or None)`` for each role that lacks it; None when the person no
    longer holds the role, so nothing vouches for it.
    """
    apart = {actor.pk, log.tutor_id, log.counsellor_id}
    people = {Role.TUTOR: log.tutor_id, Role.COUNSELLOR: log.counsellor_id}
    missing = []
    for role in roles:
        membership = _co_lead(log, people[role], role)
        if membership is None or not trusted_endorsers(membership, apart_from=apart):
            missing.append((people[role], role, membership))
    return missing
