"""A chat client written from docs/realtime.md, with the browser's recovery logic.

It keeps one socket open to one of several servers; when the socket drops it
waits (exponential back-off with jitter), connects to the next server, sends a
``resume`` frame with the last position it saw per topic and re-sends every post
not yet acknowledged, with the same ``client_id``. It records everything it
receives, so a test can check that each position arrived once and in order.
"""

import asyncio
import contextlib
import json
import random
import time

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

# Errors after which a post is tried again (the server had a passing fault).
RETRY_CODES = {"server_error", "rate_limited", "not_subscribed"}
# Close codes after which the browser does not reconnect (signed out, too many sockets).
STOP_CODES = {4401, 4429}


class ProtocolBroken(AssertionError):
    """The server sent something the protocol does not allow (a repeat, a gap)."""


class ChatClient:
    def __init__(self, name, session_key, urls, topics, *, backoff=(0.1, 1.0)):
        self.name = name
        self.session_key = session_key
        self.urls = list(urls)
        self.topics = list(topics)
        self.backoff_min, self.backoff_max = backoff
        self.positions = {topic: 0 for topic in self.topics}
        self.events = {topic: [] for topic in self.topics}  # (seq, event, data, monotonic)
        self.pending = {}  # client_id -> (topic, body), not yet acknowledged
        self.acks = {}  # client_id -> ack frame
        self.errors = []  # error frames that were not passing faults
        self.problems = []  # protocol breaches seen (repeats, gaps)
        self.connects = []  # (url, monotonic) of each accepted socket
        self.socket = None
        self.live = asyncio.Event()
        self._url_index = 0
        self._task = None
        self._stopping = False
        self._refs = 0
        self._retries = set()
        self.close_code = None
        self._online = asyncio.Event()
        self._online.set()

    # -- lifecycle -----------------------------------------------------------------------

    def start(self):
        self._task = asyncio.create_task(self._run(), name=f"client-{self.name}")
        return self

    async def stop(self):
        self._stopping = True
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def drop(self, *, stay_away=False):
        """Close the socket from this side, as a lost network would.

        The client comes back by itself, or, with ``stay_away``, once ``come_back()``
        is called (a phone that is out of reach for a while).
        """
        if stay_away:
            self._online.clear()
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()

    def come_back(self):
        self._online.set()

    @property
    def url(self):
        return self.urls[self._url_index % len(self.urls)]

    async def _run(self):
        delay = self.backoff_min
        while not self._stopping:
            await self._online.wait()
            url = self.url
            try:
                await self._session(url)
                delay = self.backoff_min
            except (TimeoutError, OSError, WebSocketException, ConnectionError):
                pass
            self.socket = None
            self.live.clear()
            if self._stopping or self.close_code in STOP_CODES:
                return
            # The next server in the list, after a growing, jittered pause.
            self._url_index += 1
            await asyncio.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, self.backoff_max)

    async def _session(self, url):
        origin = url.replace("ws://", "http://").rsplit("/ws/", 1)[0]
        async with connect(
            url,
            additional_headers={
                "Cookie": f"sessionid={self.session_key}",
                "Origin": origin,
            },
            open_timeout=3,
            ping_interval=2,
            ping_timeout=3,
            close_timeout=1,
            max_size=2**20,
        ) as socket:
            hello = json.loads(await asyncio.wait_for(socket.recv(), 5))
            if hello.get("type") != "hello":
                self.errors.append(hello)
                return
            self.socket = socket
            self.connects.append((url, time.monotonic()))
            await socket.send(
                json.dumps({"type": "resume", "topics": dict(self.positions), "ref": "resume"})
            )
            try:
                async for text in socket:
                    await self._handle(json.loads(text))
            finally:
                self.close_code = socket.close_code

    # -- frames ----------------------------------------------------------------------------

    async def _handle(self, frame):
        kind = frame.get("type")
        if kind == "subscribed":
            # Posts still unacknowledged go again, with the same client id.
            for client_id, (topic, body) in list(self.pending.items()):
                if topic == frame["topic"]:
                    await self._send_post(topic, body, client_id)
            self.live.set()
        elif kind == "event":
            self._event(frame)
        elif kind == "ack":
            client_id = frame.get("client_id")
            if client_id:
                if client_id in self.acks and self.acks[client_id]["id"] != frame["id"]:
                    self.problems.append(f"two acks for {client_id}: {frame}")
                self.acks[client_id] = frame
                self.pending.pop(client_id, None)
        elif kind == "error":
            ref = frame.get("ref")
            if ref == "resume" and frame["code"] == "server_error":
                # The server could not take the topics on (its Redis is away): start over.
                await self.socket.close()
                return
            if isinstance(ref, str) and ref.startswith("post:") and frame["code"] in RETRY_CODES:
                client_id = ref.split(":", 2)[2]
                asyncio.get_running_loop().call_later(0.3, self._retry_soon, client_id)
            else:
                self.errors.append(frame)

    def _event(self, frame):
        topic = frame["topic"]
        seq = frame["seq"]
        last = self.positions.get(topic, 0)
        if seq <= last:
            self.problems.append(f"{self.name}: {topic}@{seq} again (had {last})")
            return
        if seq != last + 1:
            self.problems.append(f"{self.name}: {topic} jumped from {last} to {seq}")
        self.positions[topic] = seq
        self.events[topic].append((seq, frame["event"], frame["data"], time.monotonic()))

    def _retry_soon(self, client_id):
        if client_id in self.pending and self.socket is not None:
            topic, body = self.pending[client_id]
            task = asyncio.ensure_future(self._send_post(topic, body, client_id))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)

    async def _send_post(self, topic, body, client_id):
        self._refs += 1
        frame = {
            "type": "post",
            "topic": topic,
            "body": body,
            "client_id": client_id,
            "ref": f"post:{self._refs}:{client_id}",
        }
        socket = self.socket
        if socket is None:
            return
        # A send on a dying socket is re-done after the reconnect.
        with contextlib.suppress(Exception):
            await socket.send(json.dumps(frame))

    # -- what a test does ------------------------------------------------------------------

    async def post(self, topic, body, client_id):
        self.pending[client_id] = (topic, body)
        await self._send_post(topic, body, client_id)

    async def wait_live(self, timeout=10):
        await asyncio.wait_for(self.live.wait(), timeout)

    async def wait_for(self, predicate, timeout, what="condition"):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: timed out waiting for {what}")
            await asyncio.sleep(0.05)

    def seqs(self, topic):
        return [seq for seq, *_ in self.events[topic]]

    def message_ids(self, topic):
        return [data["id"] for _seq, _name, data, _t in self.events[topic]]
