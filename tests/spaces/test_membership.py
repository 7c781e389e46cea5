"""Changing roles, removing people, leaving: each one audited, each one checked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from tandem.accounts.models import User
from tandem.core.models import AuditEntry
from tandem.spaces import actions
from tandem.spaces.models import Membership, Role
from tandem.spaces.permissions import Perm, can


def membership(world, role, space="group_a"):
    return Membership.objects.select_related("space", "user").get(
        space=world.spaces[space], user=world.people[role]
    )


def test_tutor_changes_a_members_role_and_it_is_audited(world, django_capture_on_commit_callbacks):
    target = membership(world, "member")
    with django_capture_on_commit_callbacks(execute=True):
        actions.change_role(actor=world.people["tutor"], membership=target, role=Role.COUNSELLOR)
    target.refresh_from_db()
    assert target.role == Role.COUNSELLOR
    entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.actor == world.people["tutor"]
    assert entry.space == world.spaces["group_a"]
    assert entry.target == f"user:{world.people['member'].pk}"
    assert entry.data == {"old": "member", "new": "counsellor"}


def test_new_role_takes_effect_at_the_next_request(world):
    person = world.people["member"]
    assert not can(person, Perm.INVITE, world.spaces["group_a"])
    target = membership(world, "member")
    actions.change_role(actor=world.people["counsellor"], membership=target, role=Role.TUTOR)
    # Roles are cached on the user object for one request; the next one reads anew.
    assert can(User.objects.get(pk=person.pk), Perm.INVITE, world.spaces["group_a"])


@pytest.mark.parametrize("actor", ["member", "outsider", "participant", "other_coordinator"])
def test_others_may_not_change_roles(world, actor):
    target = membership(world, "member")
    with pytest.raises(PermissionDenied):
        actions.change_role(actor=world.people[actor], membership=target, role=Role.TUTOR)
    target.refresh_from_db()
    assert target.role == Role.MEMBER
    assert not AuditEntry.objects.filter(action="membership.role_changed").exists()


def test_a_role_of_the_other_kind_of_space_is_refused(world):
    target = membership(world, "member")
    with pytest.raises(ValidationError) as caught:
        actions.change_role(actor=world.people["tutor"], membership=target, role=Role.FACILITATOR)
    assert caught.value.code == "role_not_in_kind"
    target.refresh_from_db()
    assert target.role == Role.MEMBER


def test_role_form_refuses_an_unknown_role_with_a_message(world, client_for):
    target = membership(world, "member")
    response = client_for("tutor").post(
        reverse("spaces:member_role", args=[world.spaces["group_a"].pk, target.pk]),
        {"role": "participant"},
        follow=True,
    )
    assert "Choose one of the roles in the list." in response.content.decode()
    target.refresh_from_db()
    assert target.role == Role.MEMBER


def test_removing_a_member_is_audited_with_the_reason(world, client_for):
    target = membership(world, "member")
    response = client_for("tutor").post(
        reverse("spaces:member_remove", args=[world.spaces["group_a"].pk, target.pk]),
        {"reason": "asked to leave the group"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    entry = AuditEntry.objects.get(action="membership.removed")
    assert entry.actor == world.people["tutor"]
    assert entry.data == {"role": "member", "reason": "asked to leave the group"}
    # The removed person no longer sees the space at all.
    home = reverse("spaces:home", args=[world.spaces["group_a"].pk])
    assert client_for("member").get(home).status_code == 404


def test_a_member_may_not_remove_anyone(world, client_for):
    target = membership(world, "tutor")
    response = client_for("member").post(
        reverse("spaces:member_remove", args=[world.spaces["group_a"].pk, target.pk])
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()
    assert not AuditEntry.objects.filter(action="membership.removed").exists()


def test_a_membership_of_another_space_cannot_be_reached_through_this_one(world, client_for):
    other = membership(world, "outsider", space="group_b")
    response = client_for("tutor").post(
        reverse("spaces:member_remove", args=[world.spaces["group_a"].pk, other.pk])
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_leaving_a_space_is_audited(world):
    actions.leave_space(actor=world.people["member"], space=world.spaces["group_a"])
    assert not Membership.objects.filter(
        space=world.spaces["group_a"], user=world.people["member"]
    ).exists()
    assert AuditEntry.objects.filter(
        action="membership.left", actor=world.people["member"]
    ).exists()


def test_coordinator_adds_a_person_and_it_is_audited(world):
    actions.add_member(
        actor=world.people["coordinator"],
        space=world.spaces["group_a"],
        user=world.people["participant"],
        role=Role.MEMBER,
    )
    assert membership(world, "participant").role == Role.MEMBER
    entry = AuditEntry.objects.get(action="membership.added")
    assert entry.data == {"role": "member", "granted_by": world.people["coordinator"].pk}
    assert membership(world, "participant").granted_by == world.people["coordinator"]


def test_a_member_may_not_add_people(world):
    with pytest.raises(PermissionDenied):
        actions.add_member(
            actor=world.people["member"],
            space=world.spaces["group_a"],
            user=world.people["participant"],
            role=Role.MEMBER,
        )
    assert not Membership.objects.filter(user=world.people["participant"], space__kind="peer_group")


def test_joining_with_an_invitation_records_its_maker_as_granter(world):
    invitation = actions.create_invitation(
        actor=world.people["tutor"], space=world.spaces["group_a"], role=Role.COUNSELLOR
    )
    actions.accept_invitation(actor=world.people["participant"], invitation=invitation)
    assert membership(world, "participant").granted_by == world.people["tutor"]


def test_only_another_coordinator_or_the_operator_verifies_a_co_leads_role(world):
    target = world.spaces["group_a"].memberships.get(user=world.people["tutor"])
    for role in ("member", "counsellor", "tutor", "other_coordinator", "participant"):
        with pytest.raises(PermissionDenied):
            actions.verify_membership(actor=world.people[role], membership=target)
    with pytest.raises(PermissionDenied):  # the operator granted it
        actions.verify_membership(actor=world.people["staff"], membership=target)
    verified = actions.verify_membership(actor=world.people["coordinator"], membership=target)
    assert verified.verified_by == world.people["coordinator"] and verified.verified_at
    assert AuditEntry.objects.filter(
        action="membership.verified", actor=world.people["coordinator"]
    ).exists()
    with pytest.raises(ValidationError):
        actions.verify_membership(actor=world.people["coordinator"], membership=target)
