"""List pages use the same number of queries whatever the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tandem.accounts.models import User
from tandem.spaces import actions
from tandem.spaces.models import Membership, Role, Space


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_people(space, count, start):
    people = User.objects.bulk_create(
        [User(username=f"extra{start + i}", display_name=f"Extra {i}") for i in range(count)]
    )
    Membership.objects.bulk_create(
        [Membership(space=space, user=person, role=Role.MEMBER) for person in people]
    )


def assert_constant(client, url, grow):
    """Count queries at one size, grow the list, count again: the same."""
    client.get(url)  # warm caches that are filled once per process
    small = queries_for(client, url)
    grow()
    large = queries_for(client, url)
    assert small == large, f"{url}: {small} queries with few rows, {large} with many"


def test_dashboard_queries_do_not_grow_with_spaces(world, client_for):
    client = client_for("coordinator")
    organisation = world.orgs["a"]

    def grow():
        for i in range(6):
            space = Space.objects.create(
                organisation=organisation, kind=Space.Kind.PEER_GROUP, name=f"More {i}"
            )
            add_people(space, 3, start=i * 10)

    assert_constant(client, reverse("dashboard"), grow)


def test_member_list_queries_do_not_grow_with_members(world, client_for):
    space = world.spaces["group_a"]
    for role in ("tutor", "member"):
        assert_constant(
            client_for(role),
            reverse("spaces:members", args=[space.pk]),
            lambda space=space, role=role: add_people(space, 20, start=len(role) * 100),
        )


def test_invitation_list_queries_do_not_grow_with_invitations(world, client_for):
    space = world.spaces["group_a"]

    def grow():
        for who in ("tutor", "counsellor") * 6:
            actions.create_invitation(actor=world.people[who], space=space, role=Role.MEMBER)

    assert_constant(client_for("tutor"), reverse("spaces:invitations", args=[space.pk]), grow)


def test_space_home_queries_do_not_grow_with_members(world, client_for):
    space = world.spaces["group_a"]
    assert_constant(
        client_for("tutor"),
        reverse("spaces:home", args=[space.pk]),
        lambda: add_people(space, 15, start=500),
    )
