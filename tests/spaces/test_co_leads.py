"""A peer group is guided by a tutor and a counsellor together, and says so plainly."""

import pytest
from django.urls import reverse
from tandem.spaces.models import Membership, Role
from tandem.spaces.queries import co_lead_status

BOTH = "This group has both co-leads: a working-life tutor and a counsellor."
NO_TUTOR = "This group is not complete: it has no working-life tutor yet."
NO_COUNSELLOR = "This group is not complete: it has no counsellor yet."
NEITHER = "This group is not complete: it has no working-life tutor and no counsellor yet."


def drop(world, *roles):
    Membership.objects.filter(space=world.spaces["group_a"], role__in=roles).delete()


@pytest.mark.parametrize(
    ("missing", "notice", "badge"),
    [
        ((), BOTH, "Both co-leads"),
        ((Role.TUTOR,), NO_TUTOR, "No working-life tutor yet"),
        ((Role.COUNSELLOR,), NO_COUNSELLOR, "No counsellor yet"),
        ((Role.TUTOR, Role.COUNSELLOR), NEITHER, "No co-leads yet"),
    ],
)
def test_group_says_plainly_which_co_lead_is_missing(world, client_for, missing, notice, badge):
    drop(world, *missing)
    space = world.spaces["group_a"]
    status = co_lead_status(space)
    assert status == {
        "tutor": Role.TUTOR not in missing,
        "counsellor": Role.COUNSELLOR not in missing,
    }
    client = client_for("coordinator")
    for url in (
        reverse("spaces:home", args=[space.pk]),
        reverse("spaces:members", args=[space.pk]),
    ):
        assert notice in client.get(url).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert badge in dashboard


def test_practitioner_space_has_no_co_lead_notice(world, client_for):
    page = client_for("facilitator").get(reverse("spaces:home", args=[world.spaces["practice"].pk]))
    body = page.content.decode()
    assert "co-leads" not in body
    assert "not complete" not in body


def test_dashboard_counts_everyone_in_the_space_not_only_the_viewer(world, client_for):
    response = client_for("member").get(reverse("dashboard"))
    group = next(s for s in response.context["spaces"] if s.pk == world.spaces["group_a"].pk)
    assert group.member_count == Membership.objects.filter(space=group).count() == 3
    assert (group.tutor_count, group.counsellor_count) == (1, 1)
    assert "3 people" in response.content.decode()
