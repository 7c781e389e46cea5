"""A socket answers pings while one of its actions waits for the database."""

import time

import pytest
from channels.db import database_sync_to_async
from tandem.chat import actions as chat_actions
from tandem.chat.models import Message

from tests.realtime.helpers import accept_rules, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_SECONDS = 1.5


@pytest.fixture
def slow_first_post(monkeypatch):
    """The first post waits in the database thread, as a post behind a lock would."""
    original = chat_actions.post_message
    calls = []

    def post_message(**kwargs):
        calls.append(kwargs["client_id"])
        if len(calls) == 1:
            time.sleep(SLOW_SECONDS)
        return original(**kwargs)

    monkeypatch.setattr(chat_actions, "post_message", post_message)
    return calls


async def _member_socket(world):
    member = world.people["member"]
    await database_sync_to_async(accept_rules)(member, world.spaces["group_a"])
    socket = await open_socket(member)
    topic = world.objects["conversation_group_a"].topic
    assert (await socket.request({"type": "subscribe", "topic": topic}))["type"] == "subscribed"
    return socket, topic


async def test_a_ping_is_answered_while_a_post_waits(world, slow_first_post):
    socket, topic = await _member_socket(world)
    await socket.send(
        {"type": "post", "topic": topic, "body": "slow", "client_id": "busy-1", "ref": "post"}
    )
    await socket.send({"type": "ping", "ref": "ping"})
    sent = time.monotonic()
    first, _seen = await socket.recv_until("pong", timeout=5)
    assert first["ref"] == "ping"
    assert time.monotonic() - sent < SLOW_SECONDS / 2
    ack, _seen = await socket.recv_until("ack", timeout=5)
    assert ack["ref"] == "post"
    await socket.close()


async def test_actions_still_run_one_after_another_in_order(world, slow_first_post):
    socket, topic = await _member_socket(world)
    for n in (1, 2, 3):
        await socket.send(
            {
                "type": "post",
                "topic": topic,
                "body": f"in order {n}",
                "client_id": f"order-{n}",
                "ref": f"p{n}",
            }
        )
    acks = []
    while len(acks) < 3:
        frame = await socket.recv(timeout=5)
        if frame["type"] in ("ack", "error"):
            acks.append(frame)
    assert [a["ref"] for a in acks] == ["p1", "p2", "p3"], acks
    assert [a["seq"] for a in acks] == sorted(a["seq"] for a in acks)
    stored = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(client_id__startswith="order-")
            .order_by("seq")
            .values_list("client_id", flat=True)
        )
    )()
    assert stored == ["order-1", "order-2", "order-3"]
    await socket.close()


async def test_an_action_error_still_carries_its_ref(world):
    socket, topic = await _member_socket(world)
    reply = await socket.request({"type": "post", "topic": topic, "body": "", "client_id": "e-1"})
    assert reply["type"] == "error" and reply["code"] == "empty"
    await socket.close()
