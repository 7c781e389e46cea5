"""A channel layer that fails under an open socket ends that socket cleanly."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.core.cache import cache
from tandem.realtime import consumers, sessions
from tandem.realtime.layers import PacedInMemoryChannelLayer

from tests.realtime.helpers import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


class LayerTimeout(Exception):
    """What the Redis layer raises when Redis stalls past its socket timeout."""


class FailingLayer(PacedInMemoryChannelLayer):
    """The embedded layer, whose reads for the channels in ``failing`` fail."""

    failing = set()

    async def receive(self, channel):
        message = await super().receive(channel)
        if channel in self.failing:
            raise LayerTimeout("Timeout reading from 127.0.0.1:6379")
        return message


@pytest.fixture
def failing_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.FailingLayer"}}
    channel_layers.backends.clear()
    FailingLayer.failing.clear()
    yield FailingLayer.failing
    FailingLayer.failing.clear()


async def test_a_failed_layer_read_closes_the_socket_frees_its_slot_and_leaves_its_groups(
    world, failing_layer
):
    member = world.people["member"]
    socket = await open_socket(member)
    assert socket.connected
    topic = world.objects["conversation_group_a"].topic
    assert (await socket.request({"type": "subscribe", "topic": topic}))["type"] == "subscribed"
    layer = get_channel_layer()
    assert isinstance(layer, FailingLayer)
    (channel,) = list(layer.groups[f"u.{member.pk}"])
    slot_key = sessions._slot_key(member.pk, 0)
    assert await database_sync_to_async(cache.get)(slot_key) == channel

    # The socket's next read from the layer fails, as a stalled Redis makes it fail.
    failing_layer.add(channel)
    await layer.send(channel, {"type": "session.check"})
    closed = await socket.comm.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_LAYER_FAULT}
    await asyncio.sleep(0.2)
    assert await database_sync_to_async(cache.get)(slot_key) is None
    assert channel not in layer.groups.get(f"u.{member.pk}", {})
    assert channel not in layer.groups.get(f"t.{topic}", {})
    # The person opens a new socket at once, in the slot given back.
    again = await open_socket(member)
    assert again.connected
    await again.close()
