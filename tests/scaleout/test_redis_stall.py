"""Redis stalls (its process stopped) for longer than the layer's socket timeout.

The socket whose read from the layer times out must end cleanly: closed with a
code the client reconnects on, its connection slot given back and its groups
left, so the person is not left with a slot taken for good.
"""

import asyncio
import signal
import time

import pytest

from tests.scaleout.checks import needs_services, topic_of
from tests.scaleout.client import ChatClient

pytestmark = [pytest.mark.services, needs_services]

# Longer than the layer's 30-second socket timeout (settings.CHANNEL_LAYERS).
STALL_SECONDS = 34


def slot_keys(port, user_id):
    """The person's connection slots in this Redis (a test Redis of its own)."""
    import redis

    with redis.Redis(host="127.0.0.1", port=port, socket_timeout=5) as conn:
        return conn.keys(f"*ws:slot:{user_id}:*")


async def test_a_socket_whose_redis_read_times_out_ends_cleanly_and_gives_its_slot_back(
    world, daphne, redis_server
):
    redis = redis_server().start()
    (server,) = daphne(1, REDIS_URL=redis.url, REDIS_PREFIX="stall")
    topic = topic_of(world, "stall")
    person = world["people"][1]
    client = ChatClient(person["username"], person["session"], [server.ws], [topic]).start()
    try:
        await client.wait_live()
        assert len(slot_keys(redis.port, person["id"])) == 1

        redis.process.send_signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(STALL_SECONDS)
        finally:
            redis.process.send_signal(signal.SIGCONT)
        resumed = time.monotonic()

        # The client was closed with a code it reconnects on, and is live again.
        await client.wait_for(
            lambda: len(client.connects) >= 2 and client.live.is_set(),
            20,
            "a new socket after the stall",
        )
        assert client.close_code not in (4401, 4429)
        # Only the new socket holds a slot: the old one gave its slot back.
        deadline = time.monotonic() + 15
        while len(slot_keys(redis.port, person["id"])) != 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        assert len(slot_keys(redis.port, person["id"])) == 1, slot_keys(redis.port, person["id"])

        # And the new socket works.
        await client.post(topic, "after the stall", "stall-1")
        await client.wait_for(lambda: "stall-1" in client.acks, 10, "the ack after the stall")
        assert "Exception inside application" not in server.log(20000), server.log()
        print(f"live again {round(client.connects[-1][1] - resumed, 2)} s after Redis resumed")
    finally:
        await client.stop()
