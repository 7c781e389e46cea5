"""Every write to spaces, memberships and invitations goes through here."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, richtext
from tandem.realtime import publish

from .models import Invitation, Membership, Role, Space
from .permissions import Perm, can, can_verify_membership, forget_roles, role_may_join_space

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


def add_member(*, actor, space, user, role):
    """Give ``user`` a role in ``space`` (an operator's or coordinator's act)."""
    if not (actor.is_superuser or can(actor, Perm.MANAGE_MEMBERS, space)):
        raise PermissionDenied
    return _join(space=space, user=user, role=role, actor=actor, how="added", granted_by=actor)


def _join(*, space, user, role, actor, how, granted_by=None):
    if not role_may_join_space(role, space):
        raise ValidationError(
            _("This role does not exist in this kind of space."), code="role_not_in_kind"
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            space=space, user=user, defaults={"role": role, "granted_by": granted_by}
        )
        if created:
            audit.record(
                actor=actor,
                action=f"membership.{how}",
                space=space,
                target=f"user:{user.pk}",
                role=role,
                granted_by=granted_by.pk if granted_by else None,
            )
    forget_roles(user)
    return membership


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
    with transaction.atomic():
        deleted, _rows = Membership.objects.filter(space=space, user=actor).delete()
        if deleted:
            audit.record(
                actor=actor, action="membership.left", space=space, target=f"user:{actor.pk}"
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
    """A signed-in person joins with an invitation."""
    with transaction.atomic():
        if Membership.objects.filter(space_id=invitation.space_id, user=actor).exists():
            return Membership.objects.get(space_id=invitation.space_id, user=actor)
        invitation = _use_invitation(invitation.pk)
        return _join(
            space=invitation.space,
            user=actor,
            role=invitation.role,
            actor=actor,
            how="joined",
            granted_by=invitation.created_by,
        )


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
