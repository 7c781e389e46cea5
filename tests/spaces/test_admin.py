"""The operators' admin changes memberships and organisation roles only through the actions."""

import pytest
from django.test import Client
from django.urls import reverse
from tandem.accounts.models import OrganisationRole
from tandem.core.models import AuditEntry
from tandem.spaces.models import Membership


@pytest.fixture
def operator(world):
    client = Client()
    client.force_login(world.people["staff"])
    return client


def _actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_a_membership_added_changed_and_removed_in_the_admin_is_audited(world, operator):
    space, person = world.spaces["group_a"], world.people["participant"]
    response = operator.post(
        reverse("admin:spaces_membership_add"),
        {"user": person.pk, "space": space.pk, "role": "member"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(space=space, user=person)
    response = operator.post(
        reverse("admin:spaces_membership_change", args=[membership.pk]), {"role": "tutor"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "tutor"
    response = operator.post(
        reverse("admin:spaces_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert _actions()[-3:] == ["membership.added", "membership.role_changed", "membership.removed"]


def test_a_role_the_kind_of_space_lacks_is_refused_in_the_admin(world, operator):
    space, person = world.spaces["group_a"], world.people["participant"]
    before = _actions()
    response = operator.post(
        reverse("admin:spaces_membership_add"),
        {"user": person.pk, "space": space.pk, "role": "facilitator"},
    )
    assert response.status_code == 200
    assert "This role does not exist in this kind of space." in response.content.decode()
    assert not Membership.objects.filter(space=space, user=person).exists()
    assert _actions() == before


def test_organisation_roles_set_in_the_admin_are_audited(world, operator):
    org, person = world.orgs["b"], world.people["tutor"]
    response = operator.post(
        reverse("admin:accounts_organisationrole_add"),
        {"user": person.pk, "organisation": org.pk, "role": "coordinator"},
    )
    assert response.status_code == 302
    row = OrganisationRole.objects.get(organisation=org, user=person)
    operator.post(reverse("admin:accounts_organisationrole_delete", args=[row.pk]), {"post": "yes"})
    assert not OrganisationRole.objects.filter(pk=row.pk).exists()
    assert _actions()[-2:] == ["organisation.role_set", "organisation.role_removed"]


def test_spaces_and_invitations_are_not_written_in_the_admin(world, operator):
    assert operator.get(reverse("admin:spaces_space_add")).status_code == 403
    invitation = world.objects["invitation_a"]
    page = operator.get(reverse("admin:spaces_invitation_change", args=[invitation.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        operator.post(
            reverse("admin:spaces_invitation_delete", args=[invitation.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
