from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from tandem.accounts.models import Organisation, OrganisationRole

from .models import JoinRequest, Membership, Role, Space
from .permissions import Perm, can


def access_space(user, space_id, perm=Perm.VIEW_SPACE):
    """The space, if ``user`` may do ``perm`` in it.

    Raises Http404 when the person has no part in the space at all (so its
    existence is not revealed) and PermissionDenied when they have a part but
    not this permission.
    """
    try:
        space = Space.objects.select_related("organisation").get(pk=space_id)
    except (Space.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return check_access(user, space, perm)


def check_access(user, space, perm=Perm.VIEW_SPACE):
    """``access_space`` for a space already fetched (say, along with one of its parts)."""
    if not can(user, Perm.VIEW_SPACE, space):
        raise Http404
    if not can(user, perm, space):
        raise PermissionDenied
    return space


def spaces_of(user):
    """Spaces the person is a member of or coordinates, with co-lead counts."""
    coordinated = OrganisationRole.objects.filter(
        user_id=user.pk, role=OrganisationRole.Role.COORDINATOR
    ).values("organisation_id")
    # Filter with subqueries, not through ``memberships``: a join used by the
    # filter would also narrow the counts below to the person's own row.
    mine = Membership.objects.filter(user_id=user.pk).values("space_id")
    return (
        Space.objects.filter(
            Q(pk__in=mine) | Q(organisation_id__in=coordinated),
            archived=False,
        )
        .select_related("organisation")
        .annotate(
            tutor_count=Count("memberships", filter=Q(memberships__role=Role.TUTOR), distinct=True),
            counsellor_count=Count(
                "memberships", filter=Q(memberships__role=Role.COUNSELLOR), distinct=True
            ),
            member_count=Count("memberships", distinct=True),
            is_member=Exists(Membership.objects.filter(space_id=OuterRef("pk"), user_id=user.pk)),
        )
        .order_by("kind", "name")
    )


def dashboard_spaces(user):
    """The person's spaces (``spaces_of``) and whether they coordinate an organisation.

    The answer to the second rides on the first query; only a person without
    any space costs a second one.
    """
    coordinates = Exists(
        OrganisationRole.objects.filter(user_id=user.pk, role=OrganisationRole.Role.COORDINATOR)
    )
    spaces = list(spaces_of(user).annotate(coordinates=coordinates))
    if spaces:
        return spaces, spaces[0].coordinates
    return spaces, organisations_coordinated_by(user).exists()


def co_lead_status(space):
    """Which co-leads a peer group has: {"tutor": bool, "counsellor": bool}."""
    roles = set(
        Membership.objects.filter(space=space, role__in=[Role.TUTOR, Role.COUNSELLOR]).values_list(
            "role", flat=True
        )
    )
    return {"tutor": Role.TUTOR in roles, "counsellor": Role.COUNSELLOR in roles}


def members_of(space):
    return (
        Membership.objects.filter(space=space)
        .select_related("user")
        .order_by("role", "user__display_name", "user__username")
    )


def organisations_coordinated_by(user):
    return Organisation.objects.filter(
        roles__user_id=user.pk, roles__role=OrganisationRole.Role.COORDINATOR
    ).order_by("name")


def join_requests_of(space):
    """Pending requests first, then the answered ones, newest first."""
    return (
        JoinRequest.objects.filter(space=space)
        .select_related("user", "decided_by")
        .order_by("-outcome", "-created", "-pk")
    )


def is_last_co_lead(space, membership):
    """Is this the peer group's only person in this co-lead role?"""
    if not (space.is_peer_group and membership.is_co_lead):
        return False
    return not (
        Membership.objects.filter(space=space, role=membership.role)
        .exclude(pk=membership.pk)
        .exists()
    )


def coordinators_among_members(space):
    """Members of a peer group who coordinate its organisation (one query): the
    group sees them named in its chat, so nobody reads along unnoticed."""
    if not space.is_peer_group:
        return []
    coordinating = OrganisationRole.objects.filter(
        user_id=OuterRef("user_id"),
        organisation_id=space.organisation_id,
        role=OrganisationRole.Role.COORDINATOR,
    )
    return list(
        Membership.objects.filter(space=space)
        .filter(Exists(coordinating))
        .select_related("user")
        .order_by("joined", "pk")
    )
