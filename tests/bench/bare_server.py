"""The limit: a bare ``websockets`` broadcast server, a dict of group -> connections.

It speaks the same frames as the other contenders (``subscribe`` and ``post`` in,
``message`` out), parses each post once and sends the same text to every subscriber.
No authentication, no storage: the most a Python WebSocket server can do.
"""

import asyncio
import json
import sys

from websockets.asyncio.server import broadcast, serve

groups = {}


async def handler(ws):
    mine = set()
    try:
        async for text in ws:
            frame = json.loads(text)
            kind = frame.get("type")
            topic = frame.get("topic")
            if kind == "subscribe":
                groups.setdefault(topic, set()).add(ws)
                mine.add(topic)
                await ws.send(json.dumps({"type": "subscribed", "topic": topic}))
            elif kind == "post":
                out = json.dumps({"type": "message", "topic": topic, "body": frame.get("body")})
                broadcast(groups.get(topic, ()), out)
    finally:
        for topic in mine:
            members = groups.get(topic)
            if members is not None:
                members.discard(ws)
                if not members:
                    del groups[topic]


async def main(port):
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
