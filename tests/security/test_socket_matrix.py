"""The socket's authorization matrix: every socket action, for every role.

Group A's chat is the target. Each role connects through the real ASGI
application with its own session and tries each action in turn; the outcome
is "ok" (subscribed / ack) or the error code. No frame any role receives may
carry a canary of a space (or person) that role may not see. A second test
calls every action handler directly with a forged grant, proving the actions
check permission themselves and do not trust the subscription alone.
"""

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from tandem.chat import realtime as chat_realtime
from tandem.realtime.topics import Grant

from tests.realtime.helpers import accept_rules, close_socket_thread_connections, open_socket
from tests.world import ROLES, VISIBLE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh():
    from channels.layers import channel_layers
    from django.core.cache import cache

    cache.clear()
    channel_layers.backends.clear()
    yield
    close_socket_thread_connections()
    cache.clear()


GROUP_A = {"member", "tutor", "counsellor"}
LEADS = {"tutor", "counsellor"}
OUTSIDE = "forbidden"  # subscribing is refused ...
UNSUBSCRIBED = "not_subscribed"  # ... so every action on the topic is too


def expected(role):
    if role not in GROUP_A:
        return {
            "subscribe": OUTSIDE,
            "resume": OUTSIDE,
            "read": UNSUBSCRIBED,
            "post": UNSUBSCRIBED,
            "report": UNSUBSCRIBED,
            "moderate": UNSUBSCRIBED,
            "edit": UNSUBSCRIBED,
            "delete": UNSUBSCRIBED,
            "mute": UNSUBSCRIBED,
            "remove": UNSUBSCRIBED,
            "unsubscribe": UNSUBSCRIBED,
            "own_user_topic": "ok",
            "other_user_topic": "forbidden",
        }
    return {
        "subscribe": "ok",
        "resume": "ok",
        "read": "ok",
        "post": "ok",
        # The tutor's own message: the tutor may not report it.
        "report": "forbidden" if role == "tutor" else "ok",
        "moderate": "ok" if role in LEADS else "forbidden",
        # The member's own message: only the member edits or deletes it.
        "edit": "ok" if role == "member" else "forbidden",
        "delete": "ok" if role == "member" else "forbidden",
        # Pausing and removing the member who wrote the first message: co-leads only.
        "mute": "ok" if role in LEADS else "forbidden",
        "remove": "ok" if role in LEADS else "forbidden",
        "unsubscribe": "ok",
        "own_user_topic": "ok",
        "other_user_topic": "forbidden",
    }


def outcome(reply):
    if reply["type"] in ("ack", "subscribed", "unsubscribed") and not reply.get("code"):
        return "ok"
    return reply.get("code")


def _frames(world):
    topic = world.objects["conversation_group_a"].topic
    own = world.objects["message_group_a"].pk
    tutors = world.objects["message_group_a_tutor"].pk
    return topic, [
        ("subscribe", {"type": "subscribe", "topic": topic}),
        ("resume", {"type": "resume", "topics": {topic: 0}}),
        ("read", {"type": "read", "topic": topic, "seq": 1}),
        ("post", {"type": "post", "topic": topic, "body": "matrix", "client_id": "mx-1"}),
        ("report", {"type": "report", "topic": topic, "message": tutors, "reason": "x"}),
        (
            "moderate",
            {
                "type": "moderate",
                "topic": topic,
                "message": tutors,
                "action": "hide",
                "reason": "x",
            },
        ),
        ("edit", {"type": "edit", "topic": topic, "message": own, "body": "edited"}),
        ("delete", {"type": "delete", "topic": topic, "message": own}),
        (
            "mute",
            {
                "type": "moderate",
                "topic": topic,
                "message": own,
                "action": "mute",
                "hours": 2,
                "reason": "x",
            },
        ),
        (
            "remove",
            {"type": "moderate", "topic": topic, "message": own, "action": "remove", "reason": "x"},
        ),
        ("unsubscribe", {"type": "unsubscribe", "topic": topic}),
    ]


def test_the_matrix_tries_every_action_of_the_chat_topic(world):
    from tandem.realtime.topics import kinds

    _topic, frames = _frames(world)
    registered = set(kinds()["chat"].actions)
    assert registered <= {frame["type"] for _name, frame in frames}
    assert registered <= set(ACTIONS)  # and the forged-grant test below calls each


def _leaks(world, role, text):
    visible = VISIBLE[role] | {f"user:{role}"}
    return [c for c, owner in world.canaries.items() if owner not in visible and c in text]


@pytest.mark.parametrize("role", ROLES)
async def test_every_socket_action_for_every_role(world, role):
    if role == "anonymous":
        socket = await open_socket(None)
        assert not socket.connected
        return
    person = world.people[role]
    await database_sync_to_async(accept_rules)(person, world.spaces["group_a"])
    socket = await open_socket(person)
    assert socket.connected
    _topic, frames = _frames(world)
    got = {}
    received = []
    for name, frame in frames:
        frame["ref"] = name
        await socket.send(frame)
        reply, seen = await socket.recv_until_ref(name)
        received += seen
        got[name] = outcome(reply)
    other = world.people["member" if role != "member" else "tutor"].pk
    got["own_user_topic"] = outcome(
        await socket.request({"type": "subscribe", "topic": f"user.{person.pk}"})
    )
    got["other_user_topic"] = outcome(
        await socket.request({"type": "subscribe", "topic": f"user.{other}"})
    )
    received += await socket.drain()
    await socket.close()
    assert got == expected(role)
    text = " ".join(str(frame) for frame in received)
    assert not _leaks(world, role, text), f"{role} received foreign canaries"


ACTIONS = ["post", "edit", "delete", "report", "moderate", "read"]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in GROUP_A and r != "anonymous"])
def test_actions_refuse_outsiders_even_with_a_forged_grant(world, role):
    """A grant is only a cache: each action asks the permission module again."""
    conversation = world.objects["conversation_group_a"]
    grant = Grant(topic=conversation.topic, space_id=conversation.space_id, context=conversation.pk)
    _topic, frames = _frames(world)
    by_name = dict(frames)
    by_name["moderate"] = {**by_name["moderate"], "action": "mute"}
    for name in ACTIONS:
        handler = getattr(chat_realtime, name)
        with pytest.raises(PermissionDenied):
            handler(world.people[role], grant, by_name[name])
