"""Pages learn that a person's unread counts changed through the person's own topic."""

import pytest
from channels.db import database_sync_to_async
from tandem.chat import actions as chat_actions
from tandem.core import notifications

from tests.realtime.helpers import accept_rules, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def _post(world, role, body, client_id, key="conversation_group_a"):
    user = world.people[role]
    conversation = world.objects[key]
    conversation.refresh_from_db()
    accept_rules(user, conversation.space)
    return chat_actions.post_message(
        actor=user, conversation=conversation, body=body, client_id=client_id
    )


async def _own_topic(world, role):
    socket = await open_socket(world.people[role])
    reply = await socket.request({"type": "subscribe", "topic": f"user.{world.people[role].pk}"})
    assert reply["type"] == "subscribed", reply
    return socket


async def test_a_post_tells_the_other_members_pages_without_their_following_its_topic(world):
    member = await _own_topic(world, "member")
    counsellor = await _own_topic(world, "counsellor")
    tutor = await _own_topic(world, "tutor")
    # A topic the member's page does not follow.
    await db(_post)(world, "tutor", "in the topic", "sig-1", key="topic_group_a")
    for socket, role in ((member, "member"), (counsellor, "counsellor")):
        # wait for it (a shared layer may take longer than a quiet spell), then nothing else
        frame, _seen = await socket.recv_until("unread", topic=f"user.{world.people[role].pk}")
        assert frame == {"type": "unread", "topic": f"user.{world.people[role].pk}"}
    # The author's own counts did not change.
    assert not [f for f in await tutor.drain() if f["type"] == "unread"]
    for socket in (member, counsellor, tutor):
        await socket.close()


async def test_people_outside_the_space_hear_nothing(world):
    outsider = await _own_topic(world, "outsider")
    coordinator = await _own_topic(world, "coordinator")
    await db(_post)(world, "tutor", "members only", "sig-2")
    assert await outsider.nothing() and await coordinator.nothing()
    await outsider.close()
    await coordinator.close()


async def test_reading_over_the_socket_tells_the_persons_other_pages(world):
    await db(_post)(world, "tutor", "read me", "sig-3")
    chat_topic = world.objects["conversation_group_a"].topic
    reader = await open_socket(world.people["member"])
    reply = await reader.request({"type": "subscribe", "topic": chat_topic})
    other_tab = await _own_topic(world, "member")
    await other_tab.drain()
    reply = await reader.request({"type": "read", "topic": chat_topic, "seq": reply["head"]})
    assert reply["type"] == "ack", reply
    topic = f"user.{world.people['member'].pk}"
    frame, _seen = await other_tab.recv_until("unread", topic=topic)
    assert frame == {"type": "unread", "topic": topic}
    await reader.close()
    await other_tab.close()


async def test_marking_notifications_read_tells_the_persons_pages(world):
    member = world.people["member"]
    await db(notifications.notify)(users=[member], kind="chat.mention", text=lambda: "hi")
    socket = await _own_topic(world, "member")
    await socket.drain()
    await db(notifications.mark_read)(actor=member)
    frame, _seen = await socket.recv_until("unread", topic=f"user.{member.pk}")
    assert frame == {"type": "unread", "topic": f"user.{member.pk}"}
    await socket.close()


async def test_a_socket_not_following_the_persons_topic_gets_no_signal(world):
    socket = await open_socket(world.people["member"])
    await db(_post)(world, "tutor", "quiet", "sig-4")
    assert await socket.nothing()
    await socket.close()
