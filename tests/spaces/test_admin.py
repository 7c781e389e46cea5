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


def _form_of(page):
    """The admin change form's fields as sent by a browser: inputs, checked boxes, selects."""
    import html
    import re

    text = page.content.decode()
    data = {}
    for tag in re.findall(r"<input[^>]*>", text):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', text, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', text, re.S):
        data[name] = html.unescape(body.strip())
    return data


def _fill_people(data, prefix, model):
    """The person of each stored row (the autocomplete widget is filled by script)."""
    for key, value in list(data.items()):
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value:
            data[key.removesuffix("-id") + "-user"] = str(model.objects.get(pk=value).user_id)


def test_an_organisation_saved_with_its_roles_inline_goes_through_the_actions(world, operator):
    org = world.orgs["b"]
    url = reverse("admin:accounts_organisation_change", args=[org.pk])
    data = _form_of(operator.get(url))
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    rows = int(data[f"{prefix}-TOTAL_FORMS"])
    _fill_people(data, prefix, OrganisationRole)
    data.update(
        {
            "name": "Org B Gent (renamed)",
            f"{prefix}-TOTAL_FORMS": str(rows + 1),
            f"{prefix}-{rows}-user": str(world.people["facilitator"].pk),
            f"{prefix}-{rows}-role": "coordinator",
        }
    )
    response = operator.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset],
        sorted(data),
    )
    org.refresh_from_db()
    assert org.name == "Org B Gent (renamed)"
    assert OrganisationRole.objects.filter(
        organisation=org, user=world.people["facilitator"]
    ).exists()
    assert _actions()[-1] == "organisation.role_set"


def test_a_space_saved_with_its_members_inline_goes_through_the_actions(world, operator):
    space = world.spaces["group_a"]
    url = reverse("admin:spaces_space_change", args=[space.pk])
    data = _form_of(operator.get(url))
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS")).removesuffix("-TOTAL_FORMS")
    _fill_people(data, prefix, Membership)
    member = Membership.objects.get(space=space, user=world.people["member"])
    row = next(
        k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == str(member.pk)
    )
    data[f"{prefix}-{row}-DELETE"] = "on"
    response = operator.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert _actions()[-1] == "membership.removed"
    assert (
        operator.post(
            reverse("admin:spaces_space_delete", args=[space.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
