"""The one permission table: what each role may do, written out in full here."""

import pytest
from tandem.accounts.models import User
from tandem.spaces.models import Role
from tandem.spaces.permissions import ORG_COORDINATOR, ROLE_PERMS, Perm, can, roles_in

TAKE_PART = {"view_space", "read_chat", "post_chat", "view_meetings", "rsvp"}
LEAD = TAKE_PART | {"moderate", "invite", "schedule", "view_attendance", "manage_members"}

# Written out by hand, not derived from ROLE_PERMS, so a change to the table
# must be made twice: there, and here where a reviewer reads it.
EXPECTED = {
    # role in the fixture world -> (space key, permissions there)
    "member": ("group_a", TAKE_PART),
    "tutor": ("group_a", LEAD | {"log_session", "approve_join"}),
    "counsellor": ("group_a", LEAD | {"confirm_log", "approve_join"}),
    "participant": ("practice", TAKE_PART),
    "facilitator": ("practice", LEAD - {"manage_members"}),
    # The organisation's coordinator sets the group up and approves logs,
    # but does not read its chat.
    "coordinator": (
        "group_a",
        {
            "view_space",
            "view_meetings",
            "manage_members",
            "invite",
            "schedule",
            "view_attendance",
            "approve_log",
            "view_rates",
        },
    ),
    "outsider": ("group_a", set()),
    "other_coordinator": ("group_a", set()),
    "staff": ("group_a", set()),
    "anonymous": ("group_a", set()),
}
FOUNDATION_PERMS = {p.value for p in Perm} & (
    LEAD | {"log_session", "confirm_log", "approve_log", "view_rates", "approve_join"}
)


def expected(role, perm):
    _space_key, perms = EXPECTED[role]
    if perm in FOUNDATION_PERMS:
        return perm in perms
    # A permission added later by an app: only the roles ROLE_PERMS names get it.
    holders = {
        "member": Role.MEMBER,
        "tutor": Role.TUTOR,
        "counsellor": Role.COUNSELLOR,
        "participant": Role.PARTICIPANT,
        "facilitator": Role.FACILITATOR,
        "coordinator": ORG_COORDINATOR,
    }
    return role in holders and Perm(perm) in ROLE_PERMS[holders[role]]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_table(world, role):
    """can() for every permission, for this role; lists every mismatch at once."""
    space_key, _perms = EXPECTED[role]
    user = world.user(role)
    wrong = [
        f"{perm.value}: expected {expected(role, perm.value)}"
        for perm in Perm
        if can(user, perm, world.spaces[space_key]) is not expected(role, perm.value)
    ]
    assert not wrong, f"{role} in {space_key}: {wrong}"


@pytest.mark.parametrize("role", ["member", "tutor", "counsellor", "coordinator"])
def test_nobody_has_rights_in_a_group_of_another_organisation(world, role):
    for perm in Perm:
        assert not can(world.people[role], perm, world.spaces["group_b"])


def test_operators_get_no_space_rights_from_being_staff(world):
    assert roles_in(world.people["staff"], world.spaces["group_a"]) == frozenset()


def test_archived_space_is_read_only(world):
    space = world.spaces["group_a"]
    space.archived = True
    for perm in Perm:
        allowed = can(world.people["tutor"], perm, space)
        assert allowed is (perm.value in {"view_space", "read_chat", "view_meetings"})


def test_inactive_person_may_do_nothing(world):
    tutor = world.people["tutor"]
    tutor.is_active = False
    for perm in Perm:
        assert not can(tutor, perm, world.spaces["group_a"])


def test_roles_are_read_once_per_request(world, django_assert_num_queries):
    tutor = User.objects.get(username="tutor")
    space = world.spaces["group_a"]
    with django_assert_num_queries(1):  # the membership, with whether they coordinate
        for perm in Perm:
            can(tutor, perm, space)
    coordinator = User.objects.get(username="coordinator")  # no membership: a second query
    with django_assert_num_queries(2):
        for perm in Perm:
            can(coordinator, perm, space)
    assert "approve_log" in {p.value for p in Perm if can(coordinator, p, space)}


def test_a_member_who_also_coordinates_the_organisation_holds_both_roles(world):
    from tandem.accounts.models import OrganisationRole
    from tandem.spaces.permissions import ORG_COORDINATOR, forget_roles, roles_in

    tutor, space = world.people["tutor"], world.spaces["group_a"]
    assert roles_in(tutor, space) == {"tutor"}
    OrganisationRole.objects.create(organisation=space.organisation, user=tutor, role="coordinator")
    forget_roles(tutor)
    assert roles_in(tutor, space) == {"tutor", ORG_COORDINATOR}
