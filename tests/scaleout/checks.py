"""What every scale-out and fault test drives and then asserts, in one place."""

import asyncio
import os
import time

import pytest

from tests.scaleout.client import ChatClient

needs_services = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason=(
        "Needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL are not set "
        "(the embedded pass; CI's second pass sets them)."
    ),
)


def topic_of(world, name):
    return f"chat.{world['conversations'][name]}"


async def start_clients(world, topic, urls_for):
    """One client per person of the group; ``urls_for(i)`` lists the servers it tries."""
    clients = [
        ChatClient(person["username"], person["session"], urls_for(i), [topic]).start()
        for i, person in enumerate(world["people"])
    ]
    await asyncio.gather(*(client.wait_live() for client in clients))
    return clients


async def stop_clients(clients):
    await asyncio.gather(*(client.stop() for client in clients), return_exceptions=True)


async def post_many(client, topic, count, tag, spacing=0.02):
    """Post ``count`` messages whose text names their client id; the ids, in order."""
    ids = []
    for n in range(count):
        client_id = f"{tag}-{client.name}-{n}"
        ids.append(client_id)
        await client.post(topic, f"{client_id} **hello** from {client.name}", client_id)
        await asyncio.sleep(spacing)
    return ids


async def all_acknowledged(clients, timeout):
    for client in clients:
        await client.wait_for(lambda c=client: not c.pending, timeout, "every acknowledgement")


async def all_received(clients, topic, head, timeout):
    for client in clients:
        await client.wait_for(
            lambda c=client: c.positions[topic] >= head, timeout, f"position {head} of {topic}"
        )


def assert_exactly_once_in_order(clients, topic, rows, sent):
    """The database holds each sent post once; every client saw every position once, in order.

    ``rows``: the stored messages (``prepare_world.py dump``), ``sent``: every client
    id posted. Each acknowledgement names the message the database holds for that id.
    """
    by_client_id = {}
    for row in rows:
        assert row["client_id"] not in by_client_id, f"{row['client_id']} stored twice"
        by_client_id[row["client_id"]] = row
        assert row["body"].startswith(row["client_id"] + " ")
    assert sorted(by_client_id) == sorted(sent), "stored posts differ from the ones sent"
    seqs = [row["seq"] for row in rows]
    assert seqs == list(range(1, len(rows) + 1)), "positions have gaps"
    ids_in_order = [row["id"] for row in rows]
    for client in clients:
        assert not client.problems, client.problems
        assert not client.errors, client.errors
        assert client.seqs(topic) == seqs, f"{client.name} saw {client.seqs(topic)}"
        assert client.message_ids(topic) == ids_in_order, f"{client.name}: other messages"
        for seq, name, data, _at in client.events[topic]:
            assert name == "chat.posted"
            assert data["seq"] == seq
        for client_id, ack in client.acks.items():
            row = by_client_id[client_id]
            assert (ack["id"], ack["seq"]) == (row["id"], row["seq"]), client_id


def when_received(client, topic, message_id):
    for _seq, _name, data, at in client.events[topic]:
        if data["id"] == message_id:
            return at
    return None


class Stopwatch:
    def __init__(self):
        self.start = time.monotonic()

    def __call__(self):
        return round(time.monotonic() - self.start, 2)
