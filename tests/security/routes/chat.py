"""Who may open each chat page. Coordinators and staff who are not members never
read a peer group's chat (the coordinator runs group A's organisation)."""

from . import GROUP_A, GROUP_A_LEADS, SIGNED_IN, Route, expect

POST_ONLY = expect(set(), others=405, anonymous="login")


def space(world):
    return {"space_id": world.spaces["group_a"].pk}


def conversation(world):
    return {**space(world), "conversation_id": world.objects["conversation_group_a"].pk}


def own_message(world):
    """The member's own message."""
    return {**space(world), "message_id": world.objects["message_group_a"].pk}


def tutors_message(world):
    return {**space(world), "message_id": world.objects["message_group_a_tutor"].pk}


def report(world):
    return {**space(world), "report_id": world.objects["report_group_a"].pk}


def member(world):
    return {**space(world), "user_id": world.people["member"].pk}


ROUTES = {
    # The person's own counts only, of the spaces they are a member of.
    "chat:unread": Route(get=expect(SIGNED_IN)),
    "chat:index": Route(kwargs=space, get=expect(GROUP_A, ok_status="redirect")),
    "chat:conversation": Route(
        kwargs=conversation,
        get=expect(GROUP_A),
        # Either posted, or sent to read the group rules first.
        post=expect(GROUP_A, ok_status="redirect"),
        post_data=lambda world: {"body": "hello", "client_id": "matrix-1"},
    ),
    "chat:topic_new": Route(
        kwargs=space,
        get=expect(GROUP_A_LEADS),
        post=expect(GROUP_A_LEADS, ok_status="redirect"),
        post_data=lambda world: {"title": "Courses"},
    ),
    "chat:message_edit": Route(
        kwargs=own_message,
        get=expect({"member"}),
        post=expect({"member"}, ok_status="redirect"),
        post_data=lambda world: {"body": "changed"},
    ),
    "chat:message_delete": Route(
        kwargs=own_message,
        get=expect({"member"}),
        post=expect({"member"}, ok_status="redirect"),
    ),
    "chat:message_report": Route(
        kwargs=tutors_message,
        get=expect({"member", "counsellor"}),
        post=expect({"member", "counsellor"}, ok_status="redirect"),
        post_data=lambda world: {"reason": "rude"},
    ),
    "chat:message_hide": Route(
        kwargs=tutors_message,
        get=expect(GROUP_A_LEADS),
        post=expect(GROUP_A_LEADS, ok_status="redirect"),
        post_data=lambda world: {"reason": "off topic"},
    ),
    "chat:reports": Route(kwargs=space, get=expect(GROUP_A_LEADS)),
    "chat:report_dismiss": Route(
        kwargs=report,
        get=POST_ONLY,
        post=expect(GROUP_A_LEADS, ok_status="redirect"),
    ),
    "chat:member_mute": Route(
        kwargs=member,
        get=expect(GROUP_A_LEADS),
        post=expect(GROUP_A_LEADS, ok_status="redirect"),
        post_data=lambda world: {"hours": "2", "reason": "flooding"},
    ),
}
