"""The one answer to "may this person do X in this space?".

Every view, socket action, export and command asks ``can`` (or
``queries.access_space``, which asks it). Roles come from the person's
membership in the space and from coordinating the organisation that runs it.
"""

from enum import StrEnum

from django.db.models import Exists

from tandem.accounts.models import OrganisationRole

from .models import Membership, Role

ORG_COORDINATOR = "org_coordinator"


class Perm(StrEnum):
    VIEW_SPACE = "view_space"
    READ_CHAT = "read_chat"
    POST_CHAT = "post_chat"
    MODERATE = "moderate"
    MANAGE_MEMBERS = "manage_members"
    INVITE = "invite"
    VIEW_MEETINGS = "view_meetings"
    RSVP = "rsvp"
    SCHEDULE = "schedule"
    VIEW_ATTENDANCE = "view_attendance"
    LOG_SESSION = "log_session"
    CONFIRM_LOG = "confirm_log"
    APPROVE_LOG = "approve_log"
    VIEW_RATES = "view_rates"
    # a peer group's co-leads decide who of its organisation's coordinators may join
    # and whether someone who joined late may read what came before
    APPROVE_JOIN = "approve_join"


_TAKE_PART = {Perm.VIEW_SPACE, Perm.READ_CHAT, Perm.POST_CHAT, Perm.VIEW_MEETINGS, Perm.RSVP}
_LEAD = _TAKE_PART | {
    Perm.MODERATE,
    Perm.INVITE,
    Perm.SCHEDULE,
    Perm.VIEW_ATTENDANCE,
    Perm.MANAGE_MEMBERS,
}

ROLE_PERMS = {
    Role.MEMBER: frozenset(_TAKE_PART),
    Role.TUTOR: frozenset(_LEAD | {Perm.LOG_SESSION, Perm.APPROVE_JOIN}),
    Role.COUNSELLOR: frozenset(_LEAD | {Perm.CONFIRM_LOG, Perm.APPROVE_JOIN}),
    Role.PARTICIPANT: frozenset(_TAKE_PART),
    Role.FACILITATOR: frozenset(_LEAD - {Perm.MANAGE_MEMBERS}),
    Role.COORDINATOR: frozenset(_LEAD),
    # Coordinators of the organisation that runs a space set it up and approve
    # its session logs, but do not read its chat unless they are members.
    ORG_COORDINATOR: frozenset(
        {
            Perm.VIEW_SPACE,
            Perm.VIEW_MEETINGS,
            Perm.MANAGE_MEMBERS,
            Perm.INVITE,
            Perm.SCHEDULE,
            Perm.VIEW_ATTENDANCE,
            Perm.APPROVE_LOG,
            Perm.VIEW_RATES,
        }
    ),
}


def roles_in(user, space):
    """The roles ``user`` holds in ``space``, cached on the user for one request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_tandem_roles", {})
    if space.pk not in cache:
        coordinating = OrganisationRole.objects.filter(
            user_id=user.pk,
            organisation_id=space.organisation_id,
            role=OrganisationRole.Role.COORDINATOR,
        )
        # one query for a member (the usual case), a second only for someone who is not
        # (space, user) is unique: a slice, not first(), so no ORDER BY to build or run
        membership = next(
            iter(
                Membership.objects.filter(space_id=space.pk, user_id=user.pk).annotate(
                    coordinates=Exists(coordinating)
                )[:1]
            ),
            None,
        )
        user.__dict__.setdefault("_tandem_memberships", {})[space.pk] = membership
        roles = {membership.role} if membership else set()
        if membership.coordinates if membership else coordinating.exists():
            roles.add(ORG_COORDINATOR)
        cache[space.pk] = frozenset(roles)
    return cache[space.pk]


def membership_in(user, space):
    """The membership ``user`` holds in ``space`` (or None), read with the roles."""
    if not roles_in(user, space):
        return None
    return user.__dict__.get("_tandem_memberships", {}).get(space.pk)


def forget_roles(user):
    """Drop the cached roles, after a membership of ``user`` changed."""
    user.__dict__.pop("_tandem_roles", None)
    user.__dict__.pop("_tandem_memberships", None)


def perms_in(user, space):
    perms = set()
    for role in roles_in(user, space):
        perms |= ROLE_PERMS.get(role, frozenset())
    return frozenset(perms)


def can(user, perm, space):
    """May ``user`` do ``perm`` in ``space``? Archived spaces are read-only."""
    perms = perms_in(user, space)
    if space.archived and perm not in {Perm.VIEW_SPACE, Perm.READ_CHAT, Perm.VIEW_MEETINGS}:
        return False
    return Perm(perm) in perms


def is_org_coordinator(user, organisation_id):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return OrganisationRole.objects.filter(
        user_id=user.pk,
        organisation_id=organisation_id,
        role=OrganisationRole.Role.COORDINATOR,
    ).exists()


def joins_only_with_approval(user, space):
    """A coordinator of the organisation becomes a member of its peer group only
    when a co-lead approves: the promise is that a coordinator sees pay, not chat."""
    return space.is_peer_group and is_org_coordinator(user, space.organisation_id)


def role_may_join_space(role, space):
    from .models import PEER_GROUP_ROLES, PRACTITIONER_ROLES

    allowed = PEER_GROUP_ROLES if space.is_peer_group else PRACTITIONER_ROLES
    return role in allowed


# --- four eyes on co-leads' roles ---------------------------------------------
#
# A tutor's and a counsellor's roles lead to money (tandem.recognition). One
# person holding several accounts must not be able to make a co-lead out of
# nobody and pay them: such a role counts only once someone who is not the
# person acting on the money vouched for it, either by granting it or by
# verifying it, and that someone is a coordinator of the organisation or the
# operator.


def endorsers(membership):
    """Whoever vouched for ``membership``'s role (granted or verified it), not its holder."""
    ids = {membership.granted_by_id, membership.verified_by_id} - {None, membership.user_id}
    return ids


def trusted_endorsers(membership, *, apart_from=()):
    """The endorsers of ``membership`` outside ``apart_from`` who may vouch for a co-lead.

    That is, coordinators of the space's organisation and operators (superusers).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    ids = endorsers(membership) - set(apart_from)
    if not ids:
        return set()
    return set(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                organisation_roles__organisation_id=membership.space.organisation_id,
                organisation_roles__role=OrganisationRole.Role.COORDINATOR,
            )
        )
        .values_list("pk", flat=True)
    )


def can_verify_membership(user, membership):
    """Another coordinator of the organisation, or the operator: never its granter or holder."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not membership.is_co_lead or membership.verified_by_id is not None:
        return False
    if user.pk in {membership.granted_by_id, membership.user_id}:
        return False
    return user.is_superuser or is_org_coordinator(user, membership.space.organisation_id)
