from django.urls import reverse
from tandem.core.models import AuditEntry
from tandem.spaces.models import Space


def test_coordinator_sets_up_a_peer_group_of_their_organisation(world, client_for):
    org = world.orgs["a"]
    response = client_for("coordinator").post(
        reverse("spaces:new"),
        {
            "organisation": org.pk,
            "kind": "peer_group",
            "name": "Tuesday group",
            "rules": "**Be kind**",
        },
    )
    space = Space.objects.get(name="Tuesday group")
    assert response.status_code == 302
    assert space.organisation == org
    assert space.rules_html == "<p><strong>Be kind</strong></p>"
    assert AuditEntry.objects.filter(action="space.created", space=space).exists()


def test_coordinator_cannot_set_up_a_space_for_another_organisation(world, client_for):
    before = Space.objects.count()
    response = client_for("coordinator").post(
        reverse("spaces:new"),
        {"organisation": world.orgs["b"].pk, "kind": "peer_group", "name": "Sneaky"},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert Space.objects.count() == before


def test_members_cannot_set_up_spaces(world, client_for):
    assert client_for("tutor").get(reverse("spaces:new")).status_code == 403


def test_unknown_kind_is_refused_and_nothing_is_made(world, client_for):
    before = Space.objects.count()
    response = client_for("coordinator").post(
        reverse("spaces:new"),
        {"organisation": world.orgs["a"].pk, "kind": "party", "name": "X"},
    )
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert Space.objects.count() == before


def test_co_lead_edits_rules_through_the_rich_text_path(world, client_for):
    space = world.spaces["group_a"]
    client_for("counsellor").post(
        reverse("spaces:edit", args=[space.pk]),
        {"name": "Renamed", "description": "<script>x</script>", "rules": "- one"},
    )
    space.refresh_from_db()
    assert space.name == "Renamed"
    assert "<script>" not in space.description_html
    assert space.rules_html == "<ul>\n<li>one</li>\n</ul>"


def test_member_cannot_edit_the_space(world, client_for):
    space = world.spaces["group_a"]
    response = client_for("member").post(reverse("spaces:edit", args=[space.pk]), {"name": "X"})
    assert response.status_code == 403
    space.refresh_from_db()
    assert space.name != "X"


def test_the_dashboard_offers_a_new_space_to_coordinators_only(world, client_for):
    from tandem.accounts.models import Organisation, OrganisationRole

    new_space = reverse("spaces:new")
    assert new_space in client_for("coordinator").get(reverse("dashboard")).content.decode()
    assert new_space not in client_for("tutor").get(reverse("dashboard")).content.decode()
    # A coordinator of an organisation with no space yet, and no space of their own.
    fresh = Organisation.objects.create(name="Org C Tampere", country="FI")
    OrganisationRole.objects.create(
        organisation=fresh, user=world.people["outsider"], role="coordinator"
    )
    world.people["outsider"].memberships.all().delete()
    assert new_space in client_for("outsider").get(reverse("dashboard")).content.decode()
    assert new_space not in client_for("staff").get(reverse("dashboard")).content.decode()
