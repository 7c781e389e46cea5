"""Resume after a dropped connection while others kept posting (one daphne process)."""

import asyncio

from tests.scaleout.checks import (
    all_acknowledged,
    all_received,
    assert_exactly_once_in_order,
    post_many,
    start_clients,
    stop_clients,
    topic_of,
)


async def test_member_back_after_a_dropped_connection_gets_every_missed_message_once_in_order(
    world, daphne, stored
):
    (server,) = daphne(1)
    topic = topic_of(world, "resume")
    clients = await start_clients(world, topic, lambda i: [server.ws])
    away, first, second, *_others = clients
    try:
        sent = await post_many(first, topic, 3, "resume-before")
        await all_received(clients, topic, len(sent), timeout=10)
        seen_before = away.positions[topic]

        await away.drop(stay_away=True)
        # Two people keep posting while one is away; the one away posts too (queued).
        sent += await post_many(away, topic, 2, "resume-queued")
        while_away = asyncio.gather(
            post_many(first, topic, 8, "resume-away"),
            post_many(second, topic, 8, "resume-away"),
        )
        sent += [client_id for ids in await while_away for client_id in ids]
        assert away.positions[topic] == seen_before
        # Back while the others go on posting.
        still_posting = asyncio.create_task(post_many(first, topic, 6, "resume-back"))
        await asyncio.sleep(0.05)
        away.come_back()
        sent += await still_posting
        await all_acknowledged(clients, timeout=15)
        await all_received(clients, topic, len(sent), timeout=15)
    finally:
        await stop_clients(clients)
    assert len(away.connects) == 2
    rows = stored(world["conversations"]["resume"])
    assert len(rows) == len(sent)
    assert_exactly_once_in_order(clients, topic, rows, sent)
