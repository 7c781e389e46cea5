"""Every write to spaces, memberships and invitations goes through here."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, notifications, richtext
from tandem.realtime import publish

from .models import Invitation, JoinRequest, Membership, Role, Space
from .permissions import (
    Perm,
    can,
    can_verify_membership,
    forget_roles,
    joins_only_with_approval,
    role_may_join_space,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw):
    """People type codes with spaces, dashes and small letters; accept them."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def create_space(*, actor, organisation, kind, name, description="", rules=""):
    """Set up a space; only the organisation's coordinators (or operators) may."""
    from .permissions import is_org_coordinator

    if not (actor.is_superuser or is_org_coordinator(actor, organisation.pk)):
        raise PermissionDenied
    with transaction.atomic():
        space = Space.objects.create(
            organisation=organisation,
            kind=kind,
            name=name,
            description=description,
            description_html=richtext.render(description),
            rules=rules,
            rules_html=richtext.render(rules),
        )
        audit.record(actor=actor, action="space.created", space=space, target=space.pk)
    return space


def update_space(*, actor, space, name, description, rules):
    if not can(actor, Perm.MANAGE_MEMBERS, space):
        raise PermissionDenied
    with transaction.atomic():
        space.name = name
        space.description = description
        space.description_html = richtext.render(description)
        space.rules = rules
        space.rules_html = richtext.render(rules)
        space.save(update_fields=["name", "description", "description_html", "rules", "rules_html"])
        audit.record(actor=actor, action="space.updated", space=space, target=space.pk)
    return space


def _needs_approval_error():
    return ValidationError(
        _(
            "A coordinator becomes a member of a peer group only when its tutor or "
            "counsellor approves. Ask to join with an invitation instead."
        ),
        code="needs_co_lead_approval",
    )


def add_member(*, actor, space, user, role):
    """Give ``user`` a role in ``space`` (an operator's or coordinator's act).

    A coordinator of the organisation is added to a peer group only by its
    co-leads (their act is the approval); anyone else raises ValidationError.
    """
    if not (actor.is_superuser or can(actor, Perm.MANAGE_MEMBERS, space)):
        raise PermissionDenied
    approved = can(actor, Perm.APPROVE_JOIN, space)
    if not approved and joins_only_with_approval(user, space):
        raise _needs_approval_error()
    return _join(
        space=space,
        user=user,
        role=role,
        actor=actor,
        how="added",
        granted_by=actor,
        closed_history=approved and joins_only_with_approval(user, space),
    )


def _join(*, space, user, role, actor, how, granted_by=None, closed_history=False):
    """Make the membership; ``closed_history``: the chat before now stays closed to them."""
    if not role_may_join_space(role, space):
        raise ValidationError(
            _("This role does not exist in this kind of space."), code="role_not_in_kind"
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            space=space,
            user=user,
            defaults={
                "role": role,
                "granted_by": granted_by,
                "history_from": timezone.now() if closed_history else None,
            },
        )
        if created:
            audit.record(
                actor=actor,
                action=f"membership.{how}",
                space=space,
                target=f"user:{user.pk}",
                role=role,
                granted_by=granted_by.pk if granted_by else None,
                **({"history_closed": True} if closed_history else {}),
            )
            if closed_history:
                _tell_the_group(space, user, role)
    forget_roles(user)
    return membership


def _tell_the_group(space, user, role):
    """Everyone in the group hears who joined, in which role, and that they coordinate."""
    others = Membership.objects.filter(space=space).exclude(user_id=user.pk)
    notifications.notify(
        users=list(others.values_list("user_id", flat=True)),
        kind="space.joined",
        text=lambda: (
            _("%(name)s, a coordinator of %(organisation)s, joined %(space)s as %(role)s.")
            % {
                "name": user.name,
                "organisation": space.organisation.name,
                "space": space.name,
                "role": Role(role).label,
            }
        ),
        url=reverse("spaces:members", args=[space.pk]),
        space=space,
    )


def change_role(*, actor, membership, role):
    space = membership.space
    if not (actor.is_superuser or can(actor, Perm.MANAGE_MEMBERS, space)):
        raise PermissionDenied
    if not role_may_join_space(role, space):
        raise ValidationError(
            _("This role does not exist in this kind of space."), code="role_not_in_kind"
        )
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        old = locked.role
        locked.role = role
        # A new role is a new grant: an earlier verification was of the old one.
        locked.granted_by = actor
        locked.verified_by = None
        locked.verified_at = None
        locked.save(update_fields=["role", "granted_by", "verified_by", "verified_at"])
        audit.record(
            actor=actor,
            action="membership.role_changed",
            space=space,
            target=f"user:{locked.user_id}",
            old=old,
            new=role,
        )
        transaction.on_commit(lambda: publish.access_changed(locked.user_id, space.pk))
    forget_roles(locked.user)
    return locked


def remove_member(*, actor, membership, reason=""):
    """Remove a person from a space; their open sockets stop receiving it."""
    space = membership.space
    if not (actor.is_superuser or can(actor, Perm.MANAGE_MEMBERS, space)):
        raise PermissionDenied
    user_id = membership.user_id
    with transaction.atomic():
        deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="membership.removed",
                space=space,
                target=f"user:{user_id}",
                role=membership.role,
                reason=reason[:500],
            )
        transaction.on_commit(lambda: publish.access_changed(user_id, space.pk))
    forget_roles(membership.user)


def leave_space(*, actor, space):
    """The person leaves ``space``; when a peer group so loses its only tutor or
    counsellor, the organisation's coordinators are told."""
    from tandem.accounts.models import OrganisationRole

    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(space=space, user=actor).first()
        if membership is None:
            return
        Membership.objects.filter(pk=membership.pk).delete()
        audit.record(
            actor=actor,
            action="membership.left",
            space=space,
            target=f"user:{actor.pk}",
            role=membership.role,
        )
        lacking = (
            space.is_peer_group
            and membership.is_co_lead
            and not Membership.objects.filter(space=space, role=membership.role).exists()
        )
        if lacking:
            role = membership.role
            coordinators = OrganisationRole.objects.filter(
                organisation_id=space.organisation_id, role=OrganisationRole.Role.COORDINATOR
            ).values_list("user_id", flat=True)
            notifications.notify(
                users=list(coordinators),
                kind="space.co_lead_missing",
                text=lambda: (
                    _("%(name)s left %(space)s, which now has no %(role)s.")
                    % {"name": actor.name, "space": space.name, "role": Role(role).label}
                ),
                url=reverse("spaces:members", args=[space.pk]),
                space=space,
            )
        transaction.on_commit(lambda: publish.access_changed(actor.pk, space.pk))
    forget_roles(actor)


def accept_rules(*, actor, space):
    Membership.objects.filter(space=space, user=actor, rules_accepted__isnull=True).update(
        rules_accepted=timezone.now()
    )
    forget_roles(actor)


def create_invitation(*, actor, space, role, max_uses=30, days=None):
    """A new link and short code for joining ``space`` with ``role``."""
    if not can(actor, Perm.INVITE, space):
        raise PermissionDenied
    if not role_may_join_space(role, space):
        raise ValidationError(
            _("This role does not exist in this kind of space."), code="role_not_in_kind"
        )
    # Members invite members; only those who manage the space invite co-leads.
    if role not in (Role.MEMBER, Role.PARTICIPANT) and not can(actor, Perm.MANAGE_MEMBERS, space):
        raise PermissionDenied
    if not 1 <= int(max_uses) <= 500:
        raise ValidationError(
            _("An invitation can be used by 1 to 500 people."), code="max_uses_range"
        )
    days = days or settings.TANDEM["INVITE_DAYS"]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    space=space,
                    role=role,
                    code=_new_code(),
                    token=secrets.token_urlsafe(32),
                    created_by=actor,
                    expires=timezone.now() + timedelta(days=days),
                    max_uses=max_uses,
                )
                audit.record(
                    actor=actor,
                    action="invitation.created",
                    space=space,
                    target=f"invitation:{invitation.pk}",
                    role=role,
                )
                return invitation
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free invitation code")


def revoke_invitation(*, actor, invitation):
    if not can(actor, Perm.INVITE, invitation.space):
        raise PermissionDenied
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, revoked__isnull=True).update(
            revoked=timezone.now()
        )
        audit.record(
            actor=actor,
            action="invitation.revoked",
            space=invitation.space,
            target=f"invitation:{invitation.pk}",
        )


def _use_invitation(invitation_id):
    """Count one use, or raise if the invitation is no longer good."""
    invitation = (
        Invitation.objects.select_for_update().select_related("space").get(pk=invitation_id)
    )
    if not invitation.is_usable():
        raise ValidationError(
            _("This invitation has expired or is no longer valid. Ask for a new one."),
            code="invitation_unusable",
        )
    invitation.uses += 1
    invitation.save(update_fields=["uses"])
    return invitation


def accept_invitation(*, actor, invitation):
    """A signed-in person joins with an invitation: a Membership, or a JoinRequest.

    Nobody joins with an invitation they made (ValidationError "own_invitation").
    A coordinator of the organisation asks the peer group's co-leads instead: the
    answer is a pending JoinRequest, one per person and group.
    """
    if invitation.created_by_id == actor.pk:
        raise ValidationError(
            _("You made this invitation, so you cannot join with it."), code="own_invitation"
        )
    with transaction.atomic():
        if Membership.objects.filter(space_id=invitation.space_id, user=actor).exists():
            return Membership.objects.get(space_id=invitation.space_id, user=actor)
        invitation = _use_invitation(invitation.pk)
        if joins_only_with_approval(actor, invitation.space):
            return _ask_to_join(actor=actor, invitation=invitation)
        return _join(
            space=invitation.space,
            user=actor,
            role=invitation.role,
            actor=actor,
            how="joined",
            granted_by=invitation.created_by,
        )


def _ask_to_join(*, actor, invitation):
    space = invitation.space
    pending = JoinRequest.objects.filter(
        space=space, user=actor, outcome=JoinRequest.Outcome.PENDING
    ).first()
    if pending:
        return pending
    request = JoinRequest.objects.create(
        space=space, user=actor, role=invitation.role, invitation=invitation
    )
    audit.record(
        actor=actor,
        action="membership.requested",
        space=space,
        target=f"user:{actor.pk}",
        role=invitation.role,
        request=request.pk,
    )
    notifications.notify(
        users=list(_co_leads(space).values_list("user_id", flat=True)),
        kind="space.join_request",
        text=lambda: (
            _("%(name)s, a coordinator, asks to join %(space)s as %(role)s.")
            % {"name": actor.name, "space": space.name, "role": Role(invitation.role).label}
        ),
        url=reverse("spaces:join_requests", args=[space.pk]),
        space=space,
    )
    return request


def _co_leads(space):
    return Membership.objects.filter(space=space, role__in=[Role.TUTOR, Role.COUNSELLOR])


def decide_join_request(*, actor, request, approve):
    """A co-lead approves or declines a coordinator's request to join; locks the request.

    Approved, the coordinator becomes a member who reads the chat from now on
    (``history_from``), and the group is told. Raises PermissionDenied for
    anyone but the group's co-leads (never the person asking), ValidationError
    when the request was decided already.
    """
    space = request.space
    if not can(actor, Perm.APPROVE_JOIN, space) or request.user_id == actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = JoinRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
        if locked.outcome != JoinRequest.Outcome.PENDING:
            raise ValidationError(_("Someone has already answered this request."), code="decided")
        locked.outcome = JoinRequest.Outcome.APPROVED if approve else JoinRequest.Outcome.DECLINED
        locked.decided = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["outcome", "decided", "decided_by"])
        audit.record(
            actor=actor,
            action=f"membership.request_{locked.outcome}",
            space=space,
            target=f"user:{locked.user_id}",
            request=locked.pk,
        )
        if approve:
            _join(
                space=space,
                user=locked.user,
                role=locked.role,
                actor=actor,
                how="approved",
                closed_history=True,
            )
        notifications.notify(
            users=[locked.user],
            kind="space.join_request",
            text=lambda: (
                (
                    _("You are now a member of %(space)s.")
                    if approve
                    else _("Your request to join %(space)s was declined.")
                )
                % {"space": space.name}
            ),
            url=reverse("spaces:home", args=[space.pk]) if approve else "",
            space=space,
        )
        transaction.on_commit(lambda: publish.access_changed(locked.user_id, space.pk))
    return locked


def open_history(*, actor, membership):
    """The co-leads open the chat written before a person joined to them (audited)."""
    space = membership.space
    if not can(actor, Perm.APPROVE_JOIN, space) or membership.user_id == actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        opened = Membership.objects.filter(pk=membership.pk, history_from__isnull=False).update(
            history_from=None
        )
        if opened:
            audit.record(
                actor=actor,
                action="membership.history_opened",
                space=space,
                target=f"user:{membership.user_id}",
                since=membership.history_from.isoformat() if membership.history_from else "",
            )
            transaction.on_commit(lambda: publish.access_changed(membership.user_id, space.pk))
    membership.history_from = None
    forget_roles(membership.user)
    return membership


def join_as_new_person(*, invitation, username, password, display_name="", language=""):
    """Make an account for someone without e-mail and join them to the space."""
    from tandem.accounts.actions import create_account

    with transaction.atomic():
        invitation = _use_invitation(invitation.pk)
        user = create_account(
            username=username,
            password=password,
            display_name=display_name,
            interface_language=language,
            space=invitation.space,
        )
        _join(
            space=invitation.space,
            user=user,
            role=invitation.role,
            actor=user,
            how="joined",
            granted_by=invitation.created_by,
        )
    return user


def verify_membership(*, actor, membership):
    """A second pair of eyes on a co-lead's role: another coordinator of the organisation,
    or the operator, vouches that the person is real and holds it.

    Locks the membership; refuses its granter, its holder and anyone who is not a
    coordinator of the organisation or an operator (``PermissionDenied``).
    """
    with transaction.atomic():
        locked = (
            Membership.objects.select_for_update()
            .select_related("space", "user")
            .get(pk=membership.pk)
        )
        if locked.verified_by_id is not None:
            raise ValidationError(_("This role is already verified."), code="already_verified")
        if not can_verify_membership(actor, locked):
            raise PermissionDenied(
                _(
                    "Only another coordinator of the organisation or the operator can verify "
                    "this role; never the person who granted it."
                )
            )
        locked.verified_by = actor
        locked.verified_at = timezone.now()
        locked.save(update_fields=["verified_by", "verified_at"])
        audit.record(
            actor=actor,
            action="membership.verified",
            space=locked.space,
            target=f"user:{locked.user_id}",
            role=locked.role,
            granted_by=locked.granted_by_id,
        )
    forget_roles(locked.user)
    return locked
