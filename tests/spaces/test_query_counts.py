"""List pages use the same number of queries whatever the number of rows."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tandem.accounts.models import OrganisationRole, User
from tandem.spaces import actions
from tandem.spaces.models import Membership, Role, Space

# Session, signed-in person, spaces, unread, three for meetings, session logs, and the
# header's unread notifications.
DASHBOARD_QUERIES = 9


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
    assert queries_for(client, reverse("dashboard")) <= DASHBOARD_QUERIES


def test_dashboard_stays_within_its_budget_as_everything_grows(world, client_for, settings):
    """A tutor who also coordinates: spaces, unread topics, meetings and logs, N then 3N."""
    from tandem.chat import actions as chat
    from tandem.meetings import actions as meetings
    from tandem.recognition import actions as recognition

    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 10_000}
    tutor, counsellor = world.people["tutor"], world.people["counsellor"]
    group = world.spaces["group_a"]
    OrganisationRole.objects.create(
        organisation=world.orgs["b"], user=tutor, role=OrganisationRole.Role.COORDINATOR
    )
    actions.accept_rules(actor=counsellor, space=group)
    made = {"n": 0}

    def grow(count):
        for _ in range(count):
            i = made["n"] = made["n"] + 1
            space = Space.objects.create(
                organisation=world.orgs["a"], kind=Space.Kind.PEER_GROUP, name=f"Grown {i}"
            )
            Membership.objects.create(space=space, user=tutor, role=Role.TUTOR)
            topic = chat.create_topic(actor=tutor, space=group, title=f"Topic {i}")
            topic.space = group
            for n in range(3):
                chat.post_message(
                    actor=counsellor, conversation=topic, body="hi", client_id=f"g{i}-{n}"
                )
            start = timezone.localtime(timezone.now()).replace(tzinfo=None, microsecond=0)
            start += dt.timedelta(days=i, hours=1)
            meetings.schedule_meeting(
                actor=tutor,
                space=group,
                title=f"Meeting {i}",
                kind="session",
                time_zone=timezone.get_current_timezone_name(),
                start=start,
                end=start + dt.timedelta(hours=1),
                repeat="weekly" if i % 2 else "",
                repeat_count=4 if i % 2 else None,
            )
            day = (timezone.now() - dt.timedelta(days=100 + i)).replace(hour=6, minute=0)
            recognition.create_log(
                actor=tutor,
                space=group,
                counsellor=counsellor,
                start=day,
                end=day + dt.timedelta(hours=1),
                attendees=[world.people["member"]],
            )

    client = client_for("tutor")
    grow(2)
    client.get(reverse("dashboard"))
    small = queries_for(client, reverse("dashboard"))
    grow(4)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Meeting 1" in body and "Topic 6" in body
    assert queries_for(client, reverse("dashboard")) == small <= DASHBOARD_QUERIES


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
