"""Signing out through the real logout view closes that session's sockets at once."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.auth.signals import user_logged_out
from django.db import connections
from django.test import Client
from django.urls import reverse
from tandem.chat import actions as chat_actions

from tests.realtime.helpers import accept_rules, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def _post(world, role, body, client_id):
    user = world.people[role]
    conversation = world.objects["conversation_group_a"]
    accept_rules(user, conversation.space)
    return chat_actions.post_message(
        actor=user, conversation=conversation, body=body, client_id=client_id
    )


@pytest.fixture
def slow_logout_thread():
    """The request's thread carries on a little after ``user_logged_out`` (as under
    daphne, where the view runs on its own thread beside the sockets' one), so a
    socket that re-checks on the signal's event runs before the view's own next step."""

    def linger(sender, **kwargs):
        time.sleep(0.5)

    user_logged_out.connect(linger, dispatch_uid="tests.linger")
    yield
    user_logged_out.disconnect(dispatch_uid="tests.linger")


async def test_signing_out_closes_the_sessions_socket_within_a_second(world, slow_logout_thread):
    member = world.people["member"]
    socket = await open_socket(member)
    assert socket.connected
    topic = world.objects["conversation_group_a"].topic
    assert (await socket.request({"type": "subscribe", "topic": topic}))["type"] == "subscribed"

    client = Client()
    client.cookies["sessionid"] = socket.session_key
    started = asyncio.get_running_loop().time()

    def sign_out():
        try:
            return client.post(reverse("account_logout"))
        finally:
            # This thread's own connection would keep the test database busy (PostgreSQL).
            connections.close_all()

    # Not the sockets' database thread: the view runs beside them, as in production.
    logout = asyncio.ensure_future(sync_to_async(sign_out, thread_sensitive=False)())
    frames = []
    closed = None
    while closed is None:
        remaining = 1.0 - (asyncio.get_running_loop().time() - started)
        try:
            output = await socket.comm.receive_output(timeout=max(remaining, 0.01))
        except TimeoutError:
            pytest.fail(f"still open 1 s after signing out, having sent {frames}")
        if output["type"] == "websocket.close":
            closed = output
        else:
            frames.append(output.get("text", ""))
    assert closed["code"] == 4401
    assert (await logout).status_code == 302
    assert not any('"type": "event"' in f or '"type":"event"' in f for f in frames)
    # Nothing posted afterwards reaches the closed socket.
    await db(_post)(world, "tutor", "after sign-out", "after-1")
    assert await socket.comm.receive_nothing(timeout=0.3)
