"""Real sockets through the real ASGI application, signed in with a session cookie."""

import asyncio
import json

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from tandem.asgi import application
from tandem.spaces import actions as space_actions

ORIGIN = b"http://testserver"
ANSWERS = ("ack", "error", "subscribed", "unsubscribed", "pong")


def close_socket_thread_connections():
    """Close the database connection the consumer's thread kept open during a test.

    ``database_sync_to_async`` runs in asgiref's one shared thread; with a
    persistent connection (PostgreSQL) it would keep the test database busy.
    """
    from asgiref.sync import SyncToAsync
    from django.db import connections

    executor = getattr(SyncToAsync, "single_thread_executor", None)
    if executor is not None:
        executor.submit(connections.close_all).result(timeout=10)


def session_key(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def accept_rules(user, space):
    space_actions.accept_rules(actor=user, space=space)


class Socket:
    """A WebsocketCommunicator with the small conveniences the tests need."""

    def __init__(self, communicator):
        self.comm = communicator
        self.connected = False
        self.close_code = None
        self.hello = None

    async def connect(self):
        self.connected, self.close_code = await self.comm.connect(timeout=5)
        if self.connected:
            self.hello = await self.recv()
            if self.hello.get("type") == "error":
                self.connected = False
        return self.connected

    async def send(self, frame):
        await self.comm.send_to(
            text_data=json.dumps(frame) if not isinstance(frame, str) else frame
        )

    async def recv(self, timeout=5):
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def recv_until(self, kind, timeout=5, **match):
        """Frames up to and including the first of type ``kind`` (matching ``match``)."""
        seen = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.recv(timeout=max(0.01, deadline - loop.time()))
            seen.append(frame)
            if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame, seen

    async def request(self, frame, timeout=5):
        """Send a frame with a ref; the ack or error answering it (other frames kept)."""
        ref = frame.setdefault("ref", f"r{id(frame)}")
        others = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self.send(frame)
        while True:
            reply = await self.recv(timeout=max(0.01, deadline - loop.time()))
            if reply.get("ref") == ref and reply.get("type") in (
                "ack",
                "error",
                "subscribed",
                "unsubscribed",
                "pong",
            ):
                reply["_others"] = others
                return reply
            others.append(reply)

    async def recv_until_ref(self, ref, timeout=5):
        """Frames up to and including the answer to the frame sent with ``ref``."""
        seen = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.recv(timeout=max(0.01, deadline - loop.time()))
            seen.append(frame)
            if frame.get("ref") == ref and frame.get("type") in ANSWERS:
                return frame, seen

    async def drain(self, wait=0.2):
        """Every frame that arrives until the socket is quiet for ``wait`` seconds.

        (A receive that times out would cancel the application, so wait first.)
        """
        frames = []
        while not await self.comm.receive_nothing(timeout=wait):
            frames.append(await self.recv())
        return frames

    async def nothing(self, wait=0.3):
        return await self.comm.receive_nothing(timeout=wait)

    async def close(self):
        await self.comm.disconnect()


async def open_socket(user=None, *, origin=ORIGIN, key=None, path="/ws/"):
    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin))
    if user is not None and key is None:
        key = await sync_to_async(session_key)(user)
    if key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
    socket = Socket(WebsocketCommunicator(application, path, headers=headers))
    await socket.connect()
    socket.session_key = key
    return socket
