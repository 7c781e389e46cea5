"""Several daphne processes sharing PostgreSQL and Redis, and what survives their faults.

Each test starts real daphne processes on 127.0.0.1, connects one client per
member of a peer group (the recovering client of ``client.py``) and has them
post at once; then every acknowledged post must be stored once and must have
reached every member once, in order of its position.
"""

import asyncio
import time

import pytest

from tests.scaleout.checks import (
    Stopwatch,
    all_acknowledged,
    all_received,
    assert_exactly_once_in_order,
    needs_services,
    post_many,
    start_clients,
    stop_clients,
    topic_of,
    when_received,
)

pytestmark = [pytest.mark.services, needs_services]

PER_PERSON = 15
QUIET_SECONDS = 6.5


async def test_posts_through_one_process_reach_clients_of_the_other_once_in_order(
    world, daphne, stored
):
    first, second = daphne(2)
    topic = topic_of(world, "scaleout")
    # Everyone stays on one process: even people on the first, odd on the second.
    servers = [first, second]
    clients = await start_clients(world, topic, lambda i: [servers[i % 2].ws])
    try:
        sent = await asyncio.gather(
            *(post_many(client, topic, PER_PERSON, "two") for client in clients)
        )
        sent = [client_id for ids in sent for client_id in ids]
        await all_acknowledged(clients, timeout=30)
        await all_received(clients, topic, len(sent), timeout=30)
        # A quiet spell longer than the layer's 5-second reads: the sockets stay open.
        await asyncio.sleep(QUIET_SECONDS)
        sent += await post_many(clients[1], topic, 1, "quiet")
        await all_received(clients, topic, len(sent), timeout=10)
    finally:
        await stop_clients(clients)
    assert [len(client.connects) for client in clients] == [1] * len(clients)
    rows = stored(world["conversations"]["scaleout"])
    assert len(rows) == len(clients) * PER_PERSON + 1
    assert_exactly_once_in_order(clients, topic, rows, sent)
    # Every client saw the posts made through the other process, not only its own.
    for i, client in enumerate(clients):
        others = {c.name for j, c in enumerate(clients) if j % 2 != i % 2}
        seen_from_other = [
            data
            for _s, _n, data, _t in client.events[topic]
            if any(data["text"].startswith(f"two-{name}-") for name in others)
        ]
        assert len(seen_from_other) >= PER_PERSON
        assert all(url == servers[i % 2].ws for url, _at in client.connects)


async def test_killed_process_clients_move_to_the_other_and_nothing_is_lost_or_doubled(
    world, daphne, stored
):
    doomed, survivor = daphne(2)
    topic = topic_of(world, "kill")
    order = [[doomed.ws, survivor.ws], [survivor.ws, doomed.ws]]
    clients = await start_clients(world, topic, lambda i: order[i % 2])
    on_doomed = [c for i, c in enumerate(clients) if i % 2 == 0]
    clock = Stopwatch()
    try:
        posting = [
            asyncio.create_task(post_many(client, topic, PER_PERSON, "kill", spacing=0.05))
            for client in clients
        ]
        # Mid-stream: about a third of the posts made, many still in flight.
        await asyncio.sleep(PER_PERSON * 0.05 / 3)
        doomed.kill()
        killed_at = clock()
        sent = [client_id for ids in await asyncio.gather(*posting) for client_id in ids]
        await all_acknowledged(clients, timeout=30)
        await all_received(clients, topic, len(sent), timeout=30)
        recovered_at = clock()
    finally:
        await stop_clients(clients)
    rows = stored(world["conversations"]["kill"])
    assert len(rows) == len(sent)
    assert_exactly_once_in_order(clients, topic, rows, sent)
    for client in on_doomed:
        # They started on the killed process and finished, by themselves, on the other.
        assert client.connects[0][0] == doomed.ws
        assert client.connects[-1][0] == survivor.ws
    print(f"killed at {killed_at}s, all {len(sent)} posts everywhere at {recovered_at}s")


async def test_redis_restart_clients_fill_the_gap_and_live_messages_return_within_10_s(
    world, daphne, redis_server, stored
):
    redis = redis_server().start()
    env = {"REDIS_URL": redis.url, "REDIS_PREFIX": "restart"}
    first, second = daphne(2, **env)
    topic = topic_of(world, "redis")
    order = [[first.ws, second.ws], [second.ws, first.ws]]
    clients = await start_clients(world, topic, lambda i: order[i % 2])
    poster = clients[0]
    sent = []
    try:
        before = await asyncio.gather(
            *(post_many(client, topic, 5, "restart-before") for client in clients)
        )
        sent += [client_id for ids in before for client_id in ids]
        await all_received(clients, topic, len(sent), timeout=15)

        # Mid-stream: Redis goes away while posts keep coming, then comes back empty.
        during = asyncio.create_task(post_many(poster, topic, 10, "restart-during", spacing=0.1))
        await asyncio.sleep(0.3)
        redis.stop()
        await asyncio.sleep(1.5)
        redis.start()
        restarted = time.monotonic()
        sent += await during

        # A new message after the restart reaches everyone within 10 seconds.
        probe = "restart-probe"
        await poster.post(topic, f"{probe} first words after the restart", probe)
        sent.append(probe)
        await poster.wait_for(lambda: probe in poster.acks, 10, "the probe's ack")
        probe_id = poster.acks[probe]["id"]
        for client in clients:
            await client.wait_for(
                lambda c=client: when_received(c, topic, probe_id) is not None,
                max(0.1, restarted + 10 - time.monotonic()),
                "the first message after the restart",
            )
        delays = [round(when_received(c, topic, probe_id) - restarted, 2) for c in clients]

        after = await asyncio.gather(
            *(post_many(client, topic, 3, "restart-after") for client in clients)
        )
        sent += [client_id for ids in after for client_id in ids]
        await all_acknowledged(clients, timeout=20)
        await all_received(clients, topic, len(sent), timeout=20)
    finally:
        await stop_clients(clients)
    rows = stored(world["conversations"]["redis"])
    assert_exactly_once_in_order(clients, topic, rows, sent)
    assert max(delays) < 10
    print(f"first message after the Redis restart reached everyone in {max(delays)} s")


async def test_redis_losing_its_data_under_open_sockets_live_messages_return_within_10_s(
    world, daphne, redis_server, stored
):
    """No socket drops, so no client reconnects: the servers must notice by themselves."""
    redis = redis_server().start()
    first, second = daphne(2, REDIS_URL=redis.url, REDIS_PREFIX="flush")
    topic = topic_of(world, "flush")
    servers = [first, second]
    clients = await start_clients(world, topic, lambda i: [servers[i % 2].ws])
    poster = clients[0]
    try:
        sent = await post_many(poster, topic, 3, "flush-before")
        await all_received(clients, topic, len(sent), timeout=10)
        redis.forget_everything()
        forgotten = time.monotonic()
        # Posts keep coming; the first ones may be heard by nobody but the database.
        sent += await post_many(poster, topic, 3, "flush-lost", spacing=0.1)
        await poster.wait_for(lambda: not poster.pending, 10, "the acknowledgements")
        probe = "flush-probe"
        await poster.post(topic, f"{probe} first words after the flush", probe)
        sent.append(probe)
        await poster.wait_for(lambda: probe in poster.acks, 10, "the probe's ack")
        probe_id = poster.acks[probe]["id"]
        for client in clients:
            await client.wait_for(
                lambda c=client: when_received(c, topic, probe_id) is not None,
                max(0.1, forgotten + 10 - time.monotonic()),
                "the first message after the flush",
            )
        delays = [round(when_received(c, topic, probe_id) - forgotten, 2) for c in clients]
        sent += await post_many(poster, topic, 3, "flush-after")
        await all_acknowledged(clients, timeout=10)
        await all_received(clients, topic, len(sent), timeout=10)
    finally:
        await stop_clients(clients)
    assert all(len(client.connects) == 1 for client in clients), "a socket was dropped"
    rows = stored(world["conversations"]["flush"])
    assert_exactly_once_in_order(clients, topic, rows, sent)
    assert max(delays) < 10
    print(f"first message after Redis lost its data reached everyone in {max(delays)} s")
