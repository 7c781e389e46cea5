"""Edge cases of the socket: origins, topic names, stored characters, deep and long frames."""

import logging

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse
from tandem.chat.models import Message

from tests.realtime.helpers import accept_rules, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def _topic(world):
    return world.objects["conversation_group_a"].topic


async def _subscribed(world, role="member"):
    socket = await open_socket(world.people[role])
    assert socket.connected
    reply = await socket.request({"type": "subscribe", "topic": _topic(world)})
    assert reply["type"] == "subscribed", reply
    return socket


# -- origin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        b"https://testserver",  # another scheme than the request's own (ws, so http)
        b"http://testserver:8443",  # another port
        b"http://127.0.0.1",  # an allowed host, but not the one this request is for
        b"https://127.0.0.1",
        b"null",
    ],
)
async def test_an_origin_other_than_the_sites_own_is_refused(world, origin):
    socket = await open_socket(world.people["member"], origin=origin)
    assert not socket.connected


async def test_the_sites_own_origin_opens(world):
    socket = await open_socket(world.people["member"], origin=b"http://testserver")
    assert socket.connected
    await socket.close()


async def test_a_trusted_origin_opens(world, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org", "https://*.example.net"]
    for origin in (b"https://app.example.org", b"https://chat.example.net"):
        socket = await open_socket(world.people["member"], origin=origin)
        assert socket.connected, origin
        await socket.close()
    socket = await open_socket(world.people["member"], origin=b"http://chat.example.net")
    assert not socket.connected


async def test_an_upgrade_for_a_host_not_allowed_is_refused(world):
    from channels.testing import WebsocketCommunicator
    from tandem.asgi import application

    from tests.realtime.helpers import session_key

    key = await db(session_key)(world.people["member"])
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[
            (b"host", b"evil.example"),
            (b"origin", b"http://evil.example"),
            (b"cookie", f"sessionid={key}".encode()),
        ],
    )
    connected, _code = await communicator.connect(timeout=5)
    assert not connected


# -- topics ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["\n", "\r\n", " ", "x"])
async def test_a_topic_with_anything_after_its_id_is_unknown(world, suffix):
    socket = await open_socket(world.people["member"])
    reply = await socket.request({"type": "subscribe", "topic": _topic(world) + suffix})
    assert reply["type"] == "error" and reply["code"] == "unknown_topic"
    await socket.close()


# -- stored characters -----------------------------------------------------------------------


async def test_a_nul_character_is_refused_over_the_socket_and_nothing_is_stored(world):
    member = world.people["member"]
    await db(accept_rules)(member, world.spaces["group_a"])
    socket = await _subscribed(world)
    before = await db(Message.objects.count)()
    reply = await socket.request(
        {"type": "post", "topic": _topic(world), "body": "hei\x00kaikki", "client_id": "nul-1"}
    )
    assert reply["type"] == "error" and reply["code"] == "invalid_character", reply
    assert reply["message"]
    assert await db(Message.objects.count)() == before
    await socket.close()


def test_a_nul_character_is_refused_when_editing(world):
    from django.core.exceptions import ValidationError
    from tandem.chat import actions

    member = world.people["member"]
    message = world.objects["message_group_a"]
    assert message.author_id == member.pk
    with pytest.raises(ValidationError) as refused:
        actions.edit_message(actor=member, message=message, body="changed\x00")
    assert refused.value.code == "invalid_character"
    message.refresh_from_db()
    assert "\x00" not in message.body


def test_the_form_and_the_socket_refuse_the_nul_alike(world):
    member = world.people["member"]
    accept_rules(member, world.spaces["group_a"])
    client = Client()
    client.force_login(member)
    conversation = world.objects["conversation_group_a"]
    before = Message.objects.count()
    response = client.post(
        reverse("chat:conversation", args=[conversation.space_id, conversation.pk]),
        {"body": "hei\x00", "client_id": "nul-form-1"},
    )
    assert response.status_code == 200
    assert Message.objects.count() == before


# -- deep frames -----------------------------------------------------------------------------


async def test_a_deeply_nested_frame_is_malformed_without_a_traceback(world, caplog):
    socket = await _subscribed(world)
    deep = '{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + ', "ref": "deep"}'
    with caplog.at_level(logging.ERROR, logger="tandem.realtime"):
        await socket.send(deep)
        reply = await socket.recv()
    assert reply["type"] == "error" and reply["code"] == "malformed", reply
    assert not [record for record in caplog.records if record.exc_info]
    assert (await socket.request({"type": "ping"}))["type"] == "pong"
    await socket.close()


# -- frames too long -------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["first", "last"])
async def test_a_frame_too_large_answers_with_its_ref(world, settings, where):
    settings.TANDEM = {**settings.TANDEM, "WS_MAX_FRAME_BYTES": 1000}
    socket = await _subscribed(world)
    fields = (
        f'"type": "post", "topic": "{_topic(world)}", "body": "{"x" * 2000}", "client_id": "big-2"'
    )
    raw = '{"ref": "c17", ' + fields + "}" if where == "first" else "{" + fields + ', "ref": "c17"}'
    before = await db(Message.objects.count)()
    await socket.send(raw)
    error = await socket.recv()
    assert error["type"] == "error" and error["code"] == "frame_too_large"
    assert error["ref"] == "c17"
    assert error["message"]
    assert await db(Message.objects.count)() == before
    await socket.close()


async def test_a_ref_inside_the_text_of_a_frame_too_large_is_not_taken(world, settings):
    settings.TANDEM = {**settings.TANDEM, "WS_MAX_FRAME_BYTES": 1000}
    socket = await _subscribed(world)
    body = '\\"ref\\": \\"fake\\"' + "x" * 2000
    await socket.send('{"type": "post", "body": "' + body + '", "client_id": "big-3"}')
    error = await socket.recv()
    assert error["code"] == "frame_too_large"
    assert error["ref"] is None
    await socket.close()
