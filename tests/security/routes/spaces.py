from . import ALL, GROUP_A, GROUP_A_LEADS, Route, expect

GROUP_A_VIEWERS = GROUP_A | {"coordinator"}
GROUP_A_MANAGERS = GROUP_A_LEADS | {"coordinator"}


def space(world):
    return {"space_id": world.spaces["group_a"].pk}


def membership(world):
    member = world.people["member"]
    return {
        "space_id": world.spaces["group_a"].pk,
        "membership_id": member.memberships.get(space=world.spaces["group_a"]).pk,
    }


def invitation(world):
    return {
        "space_id": world.spaces["group_a"].pk,
        "invitation_id": world.objects["invitation_a"].pk,
    }


def join_request(world):
    return {
        "space_id": world.spaces["group_a"].pk,
        "request_id": world.objects["join_request_a"].pk,
    }


ROUTES = {
    "spaces:new": Route(
        get=expect({"coordinator", "other_coordinator"}),
        post=expect({"coordinator", "other_coordinator"}),
        post_data=lambda world: {},
    ),
    "spaces:edit": Route(
        kwargs=space,
        get=expect(GROUP_A_MANAGERS),
        post=expect(GROUP_A_MANAGERS),
        post_data=lambda world: {},
    ),
    "spaces:home": Route(kwargs=space, get=expect(GROUP_A_VIEWERS)),
    "spaces:members": Route(kwargs=space, get=expect(GROUP_A_VIEWERS)),
    "spaces:rules": Route(
        kwargs=space,
        get=expect(GROUP_A_VIEWERS),
        post=expect(GROUP_A_VIEWERS, ok_status="redirect"),
    ),
    "spaces:member_remove": Route(
        kwargs=membership,
        get=expect(set(), others=405, anonymous="login"),
        post=expect(GROUP_A_MANAGERS, ok_status="redirect", member="denied"),
    ),
    "spaces:member_role": Route(
        kwargs=membership,
        get=expect(set(), others=405, anonymous="login"),
        post=expect(GROUP_A_MANAGERS, ok_status="redirect", member="denied"),
        post_data=lambda world: {"role": "tutor"},
    ),
    "spaces:member_open_history": Route(
        kwargs=membership,
        get=expect(set(), others=405, anonymous="login"),
        post=expect(GROUP_A_LEADS, ok_status="redirect"),
    ),
    "spaces:leave": Route(
        kwargs=space,
        get=expect(GROUP_A),
        post=expect(GROUP_A, ok_status="redirect"),
        why="only a member has a membership to leave; a coordinator has none",
    ),
    "spaces:join_requests": Route(kwargs=space, get=expect(GROUP_A_LEADS)),
    "spaces:join_request_decide": Route(
        kwargs=join_request,
        get=expect(set(), others=405, anonymous="login"),
        post=expect(GROUP_A_LEADS, ok_status="redirect"),
        post_data=lambda world: {"decision": "decline"},
    ),
    "spaces:invitations": Route(
        kwargs=space,
        get=expect(GROUP_A_MANAGERS),
        post=expect(GROUP_A_MANAGERS, ok_status="redirect"),
        post_data=lambda world: {"role": "member", "max_uses": "5"},
    ),
    "spaces:invitation_revoke": Route(
        kwargs=invitation,
        get=expect(set(), others=405, anonymous="login"),
        post=expect(GROUP_A_MANAGERS, ok_status="redirect"),
    ),
    "spaces:invitation_qr": Route(kwargs=invitation, get=expect(GROUP_A_MANAGERS)),
    "spaces:join": Route(get=expect(ALL), post=expect(ALL), post_data=lambda w: {"code": "NOPE"}),
    "spaces:join_link": Route(
        kwargs=lambda world: {"token": world.objects["invitation_a"].token},
        get=expect(ALL),
        why="an invitation link is for anyone who holds it",
        reveals=frozenset({"group_a"}),
    ),
}
