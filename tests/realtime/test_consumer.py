"""The one socket: sign-in, frames, limits, resume, and losing access while connected."""

import asyncio
import contextlib
import json
import threading

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import Client
from django.urls import reverse
from tandem.chat import actions as chat_actions
from tandem.chat.models import Message
from tandem.realtime import frames, publish
from tandem.spaces import actions as space_actions
from tandem.spaces.models import Membership

from tests.realtime.helpers import accept_rules, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def _topic(world, key="group_a"):
    return world.objects[f"conversation_{key}"].topic


def _post(world, role, body, client_id, key="group_a"):
    user = world.people[role]
    conversation = world.objects[f"conversation_{key}"]
    conversation.refresh_from_db()
    accept_rules(user, conversation.space)
    return chat_actions.post_message(
        actor=user, conversation=conversation, body=body, client_id=client_id
    )


async def _subscribed(world, role, key="group_a", after=None):
    socket = await open_socket(world.people[role])
    assert socket.connected
    frame = {"type": "subscribe", "topic": _topic(world, key)}
    if after is not None:
        frame["after"] = after
    reply = await socket.request(frame)
    assert reply["type"] == "subscribed", reply
    return socket, reply


async def test_anonymous_connection_is_refused(world):
    socket = await open_socket(None)
    assert not socket.connected


async def test_foreign_origin_is_refused(world):
    socket = await open_socket(world.people["member"], origin=b"https://evil.example")
    assert not socket.connected


async def test_signed_in_person_gets_hello_and_pong(world):
    socket = await open_socket(world.people["member"])
    assert socket.hello["type"] == "hello"
    assert socket.hello["user"] == world.people["member"].pk
    reply = await socket.request({"type": "ping"})
    assert reply["type"] == "pong"
    await socket.close()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        ('"text"', "malformed"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": 7}', "unknown_type"),
        ('{"type": "subscribe", "topic": "chat.0"}', "unknown_topic"),
        ('{"type": "subscribe", "topic": "nope.1"}', "unknown_topic"),
        ('{"type": "subscribe", "topic": "chat.1", "after": -1}', "invalid"),
        ('{"type": "subscribe", "topic": "chat.1", "after": "x"}', "invalid"),
        ('{"type": "unsubscribe", "topic": "chat.1"}', "not_subscribed"),
        ('{"type": "post", "topic": "chat.1", "body": "x", "client_id": "a"}', "not_subscribed"),
    ],
)
async def test_bad_frames_get_an_error_and_other_topics_keep_working(world, raw, code):
    socket, _reply = await _subscribed(world, "member")
    await socket.send(raw)
    error = await socket.recv()
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["message"]
    # The connection and its subscription still work.
    await db(_post)(world, "tutor", "still here", "bad-frame-1")
    event = await socket.recv()
    assert event["type"] == "event" and event["data"]["text"] == "still here"
    await socket.close()


async def test_error_messages_are_in_the_persons_language(world):
    member = world.people["member"]
    member.interface_language = "fi"
    await db(member.save)()
    socket = await open_socket(member)
    await socket.send("{nope")
    error = await socket.recv()
    assert error["code"] == "malformed"
    assert error["message"]
    await socket.close()


async def test_error_frame_carries_the_ref(world):
    socket = await open_socket(world.people["member"])
    await socket.send({"type": "dance", "ref": "abc"})
    error = await socket.recv()
    assert error == {
        "type": "error",
        "code": "unknown_type",
        "message": error["message"],
        "ref": "abc",
    }
    await socket.close()


async def test_oversized_frame_is_refused_and_nothing_is_stored(world, settings):
    settings.TANDEM = {**settings.TANDEM, "WS_MAX_FRAME_BYTES": 1000}
    socket, _reply = await _subscribed(world, "member")
    before = await db(Message.objects.count)()
    await socket.send(
        {"type": "post", "topic": _topic(world), "body": "x" * 2000, "client_id": "big-1"}
    )
    error = await socket.recv()
    assert error["code"] == "frame_too_large"
    assert await db(Message.objects.count)() == before
    assert (await socket.request({"type": "ping"}))["type"] == "pong"
    await socket.close()


async def test_binary_frames_are_refused(world):
    socket = await open_socket(world.people["member"])
    await socket.comm.send_to(bytes_data=b"\x00\x01")
    error = await socket.recv()
    assert error["code"] == "binary_not_supported"
    await socket.close()


async def test_topics_of_other_spaces_and_people_are_refused(world):
    socket = await open_socket(world.people["member"])
    for topic in (_topic(world, "group_b"), _topic(world, "practice")):
        reply = await socket.request({"type": "subscribe", "topic": topic})
        assert reply["type"] == "error" and reply["code"] == "forbidden"
    other = world.people["tutor"].pk
    reply = await socket.request({"type": "subscribe", "topic": f"user.{other}"})
    assert reply["code"] == "forbidden"
    own = world.people["member"].pk
    reply = await socket.request({"type": "subscribe", "topic": f"user.{own}"})
    assert reply["type"] == "subscribed"
    await socket.close()


async def test_too_many_topics_on_one_connection(world, settings):
    settings.TANDEM = {**settings.TANDEM, "WS_MAX_TOPICS": 1}
    socket, _reply = await _subscribed(world, "member")
    reply = await socket.request(
        {"type": "subscribe", "topic": f"user.{world.people['member'].pk}"}
    )
    assert reply["code"] == "too_many_topics"
    await socket.close()


async def test_fifty_sockets_from_one_person_are_limited(world, settings):
    settings.TANDEM = {**settings.TANDEM, "WS_MAX_CONNECTIONS_PER_USER": 20}
    member = world.people["member"]
    from tests.realtime.helpers import session_key

    key = await db(session_key)(member)
    sockets = [await open_socket(member, key=key) for _ in range(50)]
    open_ones = [s for s in sockets if s.connected]
    refused = [s for s in sockets if not s.connected]
    assert len(open_ones) == 20
    assert len(refused) == 30
    assert all(s.hello and s.hello["code"] == "too_many_connections" for s in refused)
    # Those that are open still work, and so do other people.
    assert (await open_ones[0].request({"type": "ping"}))["type"] == "pong"
    tutor = await open_socket(world.people["tutor"])
    assert tutor.connected
    # Closing one frees a slot.
    await open_ones[-1].close()
    again = await open_socket(member, key=key)
    assert again.connected
    for socket in [*open_ones[:-1], tutor, again]:
        await socket.close()


async def test_post_is_acknowledged_and_delivered_with_its_position(world):
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    member, _ = await _subscribed(world, "member")
    tutor, _ = await _subscribed(world, "tutor")
    ack = await member.request(
        {"type": "post", "topic": _topic(world), "body": "**hei** kaikki", "client_id": "p-1"}
    )
    assert ack["type"] == "ack" and ack["client_id"] == "p-1"
    event, _ = await tutor.recv_until("event")
    assert event["seq"] == ack["seq"]
    assert event["event"] == "chat.posted"
    assert event["data"]["html"] == "<p><strong>hei</strong> kaikki</p>"
    assert event["data"]["author"]["name"] == world.people["member"].name
    # The poster sees their own message once too.
    own = [f for f in ack["_others"] if f.get("type") == "event"]
    own += [f for f in await member.drain() if f.get("type") == "event"]
    assert [f["seq"] for f in own] == [ack["seq"]]
    await member.close()
    await tutor.close()


async def test_a_socket_action_broadcasts_from_the_event_loop(world, monkeypatch):
    """The database thread keeps the post's broadcasts; the loop sends them after it returns."""

    def blocking_send(*args, **kwargs):
        raise AssertionError("a socket action's thread blocked on the loop to broadcast")

    monkeypatch.setattr(publish, "async_to_sync", blocking_send)
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    tutor = world.people["tutor"]
    member, _ = await _subscribed(world, "member")
    listener, _ = await _subscribed(world, "tutor")
    reply = await listener.request({"type": "subscribe", "topic": f"user.{tutor.pk}"})
    assert reply["type"] == "subscribed"
    ack = await member.request(
        {
            "type": "post",
            "topic": _topic(world),
            "body": f"@{tutor.username} are you there?",
            "client_id": "loop-1",
        }
    )
    assert ack["type"] == "ack"
    _posted, seen = await listener.recv_until("event", topic=_topic(world))
    seen += await listener.drain()
    events = {f["topic"]: f for f in seen if f.get("type") == "event"}
    assert events[_topic(world)]["seq"] == ack["seq"]
    assert events[f"user.{tutor.pk}"]["event"] == "notification.new"
    await member.close()
    await listener.close()


@contextlib.asynccontextmanager
async def _database_thread_held():
    """Keep the one database thread busy until the block ends (as a long post would)."""
    started, release = threading.Event(), threading.Event()

    def hold():
        started.set()
        release.wait(10)

    holder = asyncio.ensure_future(db(hold)())
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
    try:
        yield
    finally:
        release.set()
        await holder


async def test_deliveries_do_not_wait_for_the_database_thread(world):
    """Posts hold the one database thread; a delivery must not queue behind them."""
    listener, subscribed = await _subscribed(world, "tutor")
    topic, seq = _topic(world), subscribed["head"] + 1
    async with _database_thread_held():
        await get_channel_layer().group_send(
            publish.group_for(topic),
            {
                "type": "topic.event",
                "topic": topic,
                "seq": seq,
                "frame": frames.event(topic, seq, "chat.posted", {"id": 0}),
            },
        )
        event, _ = await listener.recv_until("event", timeout=2)
        assert event["seq"] == seq
    await listener.close()


async def test_a_post_still_running_when_its_socket_closes_is_broadcast(world):
    """The poster's socket is torn down mid-action; the stored post still goes out."""
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    member, _ = await _subscribed(world, "member")
    listener, _ = await _subscribed(world, "tutor")
    async with _database_thread_held():
        await member.send(
            {"type": "post", "topic": _topic(world), "body": "last words", "client_id": "late-1"}
        )
        # The post waits behind the held thread; the closing socket's handler is cancelled.
        with contextlib.suppress(TimeoutError):
            await member.comm.disconnect(timeout=0.3)
        assert member.comm.future.done()  # the socket is gone while its post is still held
    event, _ = await listener.recv_until("event", timeout=5)
    assert event["data"]["html"] == "<p>last words</p>"
    await listener.close()


async def test_html_and_script_are_rendered_inert(world):
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    member, _ = await _subscribed(world, "member")
    evil = "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
    ack = await member.request(
        {"type": "post", "topic": _topic(world), "body": evil, "client_id": "evil-1"}
    )
    html = await db(lambda: Message.objects.get(pk=ack["id"]).body_html)()
    assert "<script" not in html and "<img" not in html and "href=" not in html
    assert "&lt;script&gt;" in html
    await member.close()


async def test_rules_must_be_read_before_the_first_post(world):
    member, _ = await _subscribed(world, "member")
    reply = await member.request(
        {"type": "post", "topic": _topic(world), "body": "hi", "client_id": "r-1"}
    )
    assert reply["type"] == "error" and reply["code"] == "rules_not_accepted"
    assert not await db(Message.objects.filter(client_id="r-1").exists)()
    await member.close()


async def test_muted_member_cannot_post(world):
    def mute():
        accept_rules(world.people["member"], world.spaces["group_a"])
        membership = Membership.objects.select_related("space", "user").get(
            user=world.people["member"], space=world.spaces["group_a"]
        )
        chat_actions.mute_member(
            actor=world.people["tutor"], membership=membership, hours=2, reason="calm down"
        )

    await db(mute)()
    member, _ = await _subscribed(world, "member")
    reply = await member.request(
        {"type": "post", "topic": _topic(world), "body": "hi", "client_id": "m-1"}
    )
    assert reply["code"] == "muted"
    await member.close()


async def test_flood_past_the_rate_limit_is_refused_and_connection_keeps_working(world, settings):
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 5}
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    member, _ = await _subscribed(world, "member")
    replies = []
    for n in range(8):
        replies.append(
            await member.request(
                {
                    "type": "post",
                    "topic": _topic(world),
                    "body": f"flood {n}",
                    "client_id": f"f-{n}",
                }
            )
        )
    assert [r["type"] for r in replies] == ["ack"] * 5 + ["error"] * 3
    assert {r["code"] for r in replies[5:]} == {"rate_limited"}
    stored = await db(lambda: Message.objects.filter(body__startswith="flood").count())()
    assert stored == 5
    assert (await member.request({"type": "ping"}))["type"] == "pong"
    # Other people are not limited by the member's flood.
    await db(_post)(world, "tutor", "calm", "calm-1")
    await member.close()


async def test_same_client_id_ten_times_at_once_makes_one_message(world):
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    sockets = [(await _subscribed(world, "member"))[0] for _ in range(10)]
    frame = {"type": "post", "topic": _topic(world), "body": "only once", "client_id": "same-1"}
    replies = await asyncio.gather(*(s.request(dict(frame, ref="same")) for s in sockets))
    acks = [{k: v for k, v in r.items() if k != "_others"} for r in replies]
    assert all(a["type"] == "ack" for a in acks)
    assert all(a == acks[0] for a in acks)
    assert await db(Message.objects.filter(client_id="same-1").count)() == 1
    # Same id, other text: refused, nothing changed.
    reply = await sockets[0].request(dict(frame, body="something else"))
    assert reply["code"] == "client_id_reused"
    assert await db(lambda: Message.objects.get(client_id="same-1").body)() == "only once"
    for socket in sockets:
        await socket.close()


async def test_resume_after_a_gap_returns_every_missed_message_once_in_order(world):
    socket, subscribed = await _subscribed(world, "member")
    seen = subscribed["head"]
    await socket.close()
    posted = []
    for n in range(7):
        posted.append((await db(_post)(world, "tutor", f"while away {n}", f"away-{n}")).seq)
    socket = await open_socket(world.people["member"])
    await socket.send({"type": "resume", "topics": {_topic(world): seen}, "ref": "res"})
    subscribed, _ = await socket.recv_until("subscribed")
    events = [f for f in await socket.drain() if f["type"] == "event"]
    assert [e["seq"] for e in events] == posted
    assert [e["data"]["text"] for e in events] == [f"while away {n}" for n in range(7)]
    # Then live events, with no repeat.
    live = await db(_post)(world, "tutor", "live now", "live-1")
    event = await socket.recv()
    assert event["seq"] == live.seq == posted[-1] + 1
    assert await socket.nothing()
    await socket.close()


async def test_a_dropped_broadcast_is_filled_from_the_database(world, monkeypatch):
    socket, _ = await _subscribed(world, "member")
    real = publish.topic_event
    dropped = []

    def lossy(topic, seq, name, data, **extra):
        if not dropped:
            dropped.append(seq)
            return None
        return real(topic, seq, name, data, **extra)

    monkeypatch.setattr(publish, "topic_event", lossy)
    first = await db(_post)(world, "tutor", "lost in the layer", "lost-1")
    second = await db(_post)(world, "tutor", "arrives", "lost-2")
    events = [await socket.recv(), await socket.recv()]
    assert [e["seq"] for e in events] == [first.seq, second.seq]
    assert events[0]["data"]["text"] == "lost in the layer"
    assert dropped == [first.seq]
    await socket.close()


async def test_late_duplicate_broadcast_is_not_delivered_twice(world):
    socket, _ = await _subscribed(world, "member")
    message = await db(_post)(world, "tutor", "once", "dup-1")
    first = await socket.recv()
    assert first["seq"] == message.seq
    # The layer delivers the same event again (a retry somewhere): dropped.
    await db(publish.topic_event)(_topic(world), message.seq, "chat.posted", {"id": message.pk})
    assert await socket.nothing()
    await socket.close()


async def test_removed_member_stops_receiving_within_five_seconds(world):
    socket, _ = await _subscribed(world, "member")

    def remove():
        membership = Membership.objects.select_related("space", "user").get(
            user=world.people["member"], space=world.spaces["group_a"]
        )
        space_actions.remove_member(actor=world.people["tutor"], membership=membership)

    await db(remove)()
    frame, _ = await socket.recv_until("unsubscribed", timeout=5)
    assert frame["topic"] == _topic(world) and frame["code"] == "forbidden"
    await db(_post)(world, "tutor", "after removal", "after-1")
    assert await socket.nothing(0.5)
    reply = await socket.request({"type": "subscribe", "topic": _topic(world)})
    assert reply["code"] == "forbidden"
    await socket.close()


async def test_a_membership_deleted_outside_the_actions_stops_the_socket_at_once(world):
    """A shell or any other write path: the role signal tells the sockets (default timers)."""
    socket, _ = await _subscribed(world, "member")
    await db(
        Membership.objects.filter(user=world.people["member"], space=world.spaces["group_a"]).delete
    )()
    frame, _ = await socket.recv_until("unsubscribed", timeout=5)
    assert frame["topic"] == _topic(world) and frame["code"] == "forbidden"
    await socket.close()


async def _assert_closed_signed_out(socket):
    frame, _ = await socket.recv_until("error", timeout=5)
    assert frame["code"] == "signed_out"
    output = await socket.comm.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_logging_out_over_http_closes_the_socket(world):
    socket, _ = await _subscribed(world, "member")
    client = Client()
    client.cookies["sessionid"] = socket.session_key
    response = await db(client.post)(reverse("account_logout"))
    assert response.status_code == 302
    await _assert_closed_signed_out(socket)


async def test_logging_out_elsewhere_keeps_other_sessions(world):
    socket, _ = await _subscribed(world, "member")
    other = Client()
    await db(other.force_login)(world.people["member"])
    await db(other.post)(reverse("account_logout"))
    assert (await socket.request({"type": "ping"}))["type"] == "pong"
    await socket.close()


async def test_password_change_closes_the_socket(world):
    socket, _ = await _subscribed(world, "member")

    def change():
        member = world.people["member"]
        member.set_password("a new long passphrase 42")
        member.save()

    await db(change)()
    await _assert_closed_signed_out(socket)


async def test_deactivation_closes_the_socket(world):
    socket, _ = await _subscribed(world, "member")

    def deactivate():
        member = world.people["member"]
        member.is_active = False
        member.save(update_fields=["is_active"])

    await db(deactivate)()
    await _assert_closed_signed_out(socket)


async def test_notifications_arrive_on_the_persons_own_topic(world):
    member = world.people["member"]
    socket = await open_socket(member)
    reply = await socket.request({"type": "subscribe", "topic": f"user.{member.pk}"})
    assert reply["type"] == "subscribed"
    await db(_post)(world, "tutor", "hello @member, see you", "mention-1")
    event, _ = await socket.recv_until("event")
    assert event["topic"] == f"user.{member.pk}"
    assert event["event"] == "notification.new"
    assert event["data"]["kind"] == "chat.mention"
    await socket.close()
    # Resuming the personal topic returns what came while away.
    await db(_post)(world, "counsellor", "@member again", "mention-2")
    socket = await open_socket(member)
    reply = await socket.request(
        {"type": "subscribe", "topic": f"user.{member.pk}", "after": event["seq"]}
    )
    missed = [f for f in await socket.drain() if f["type"] == "event"]
    assert len(missed) == 1 and missed[0]["seq"] > event["seq"]
    await socket.close()


async def test_unsubscribe_stops_delivery(world):
    socket, _ = await _subscribed(world, "member")
    reply = await socket.request({"type": "unsubscribe", "topic": _topic(world)})
    assert reply["type"] == "unsubscribed"
    await db(_post)(world, "tutor", "not for you now", "unsub-1")
    assert await socket.nothing()
    await socket.close()


def test_frames_are_plain_json():
    from tandem.realtime import frames

    text = frames.event("chat.1", 3, "chat.posted", {"html": "<p>ä</p>"})
    assert json.loads(text) == {
        "type": "event",
        "topic": "chat.1",
        "seq": 3,
        "event": "chat.posted",
        "data": {"html": "<p>ä</p>"},
    }


async def test_periodic_check_closes_a_socket_whose_session_vanished(world, settings):
    """Even without any event (the channel layer may lose one), the socket notices."""
    from django.contrib.sessions.models import Session

    settings.TANDEM = {**settings.TANDEM, "WS_REVALIDATE_SECONDS": 1}
    socket, _ = await _subscribed(world, "member")
    # Removed behind the server's back: no signal, no event.
    await db(Session.objects.filter(session_key=socket.session_key).delete)()
    await _assert_closed_signed_out(socket)


async def test_periodic_check_drops_topics_whose_access_vanished(world, settings):
    settings.TANDEM = {**settings.TANDEM, "WS_REVALIDATE_SECONDS": 1}
    socket, _ = await _subscribed(world, "member")
    await db(
        Membership.objects.filter(user=world.people["member"], space=world.spaces["group_a"]).delete
    )()
    frame, _ = await socket.recv_until("unsubscribed", timeout=5)
    assert frame["code"] == "forbidden"
    await socket.close()


def _lose_events_to_people(monkeypatch):
    """The channel layer drops every event to a person's own group (it is at most once)."""
    monkeypatch.setattr(publish, "send_to_user", lambda user_id, event: None)


async def test_a_lost_removal_event_is_caught_by_the_access_mark(world, settings, monkeypatch):
    settings.TANDEM = {
        **settings.TANDEM,
        "WS_ACCESS_CHECK_SECONDS": 1,
        "WS_REVALIDATE_SECONDS": 3600,
    }
    socket, _ = await _subscribed(world, "member")
    _lose_events_to_people(monkeypatch)
    await db(
        Membership.objects.filter(user=world.people["member"], space=world.spaces["group_a"]).delete
    )()
    frame, _ = await socket.recv_until("unsubscribed", timeout=5)
    assert frame["code"] == "forbidden"
    await socket.close()


async def test_a_lost_sign_out_event_is_caught_by_the_access_mark(world, settings, monkeypatch):
    settings.TANDEM = {
        **settings.TANDEM,
        "WS_ACCESS_CHECK_SECONDS": 1,
        "WS_REVALIDATE_SECONDS": 3600,
    }
    socket, _ = await _subscribed(world, "member")
    _lose_events_to_people(monkeypatch)
    client = Client()
    client.cookies["sessionid"] = socket.session_key
    await db(client.post)(reverse("account_logout"))
    await _assert_closed_signed_out(socket)


async def test_rounds_without_a_new_mark_do_not_check_the_database(world, settings, monkeypatch):
    """The full check is for when something changed, or when it is due."""
    from tandem.realtime import consumers

    settings.TANDEM = {
        **settings.TANDEM,
        "WS_ACCESS_CHECK_SECONDS": 1,
        "WS_REVALIDATE_SECONDS": 3600,
    }
    socket, _ = await _subscribed(world, "member")
    checks = []
    real = consumers._revalidate

    def counting(*args):
        checks.append(1)
        return real(*args)

    monkeypatch.setattr(consumers, "_revalidate", counting)
    await asyncio.sleep(2.5)
    assert checks == []
    await db(publish.mark_access_changed)(world.people["member"].pk)
    await asyncio.sleep(1.5)
    assert checks == [1]
    await socket.close()


async def test_delivery_touches_no_database(world, monkeypatch):
    """Relaying an event is a dictionary lookup and a send: no query per recipient."""
    from tandem.realtime import consumers

    sockets = [(await _subscribed(world, role))[0] for role in ("member", "tutor", "counsellor")]
    calls = []
    real = consumers.database_sync_to_async

    def counting(func, *args, **kwargs):
        calls.append(getattr(func, "__name__", repr(func)))
        return real(func, *args, **kwargs)

    monkeypatch.setattr(consumers, "database_sync_to_async", counting)
    for n in range(5):
        await db(_post)(world, "tutor", f"fast {n}", f"fast-{n}")
    for socket in sockets:
        got = [await socket.recv() for _ in range(5)]
        assert [f["data"]["text"] for f in got] == [f"fast {n}" for n in range(5)]
    assert calls == []
    for socket in sockets:
        await socket.close()


async def test_edit_delete_and_reply_over_the_socket_reach_everyone(world):
    for role in ("member", "tutor"):
        await db(accept_rules)(world.people[role], world.spaces["group_a"])
    member, _ = await _subscribed(world, "member")
    tutor, _ = await _subscribed(world, "tutor")
    topic = _topic(world)
    posted = await member.request(
        {"type": "post", "topic": topic, "body": "first", "client_id": "ed-1"}
    )
    reply = await tutor.request(
        {
            "type": "post",
            "topic": topic,
            "body": "answer",
            "client_id": "ed-2",
            "reply_to": posted["id"],
        }
    )
    assert reply["type"] == "ack"
    edited = await member.request(
        {"type": "edit", "topic": topic, "message": posted["id"], "body": "*first*, edited"}
    )
    assert edited["type"] == "ack"
    deleted = await member.request({"type": "delete", "topic": topic, "message": posted["id"]})
    assert deleted["type"] == "ack"
    events = [f for f in await tutor.drain() if f["type"] == "event"]
    assert [e["event"] for e in events][-3:] == ["chat.posted", "chat.edited", "chat.deleted"]
    answer = next(e for e in events if e["data"]["id"] == reply["id"])
    assert answer["data"]["reply_to"]["id"] == posted["id"]
    edit = next(e for e in events if e["event"] == "chat.edited")
    assert edit["data"]["html"] == "<p><em>first</em>, edited</p>" and edit["data"]["edited"]
    gone = next(e for e in events if e["event"] == "chat.deleted")
    assert gone["data"]["deleted"] and gone["data"]["html"] == ""
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    await member.close()
    await tutor.close()


async def test_co_lead_mutes_then_removes_over_the_socket(world):
    await db(accept_rules)(world.people["member"], world.spaces["group_a"])
    member, _ = await _subscribed(world, "member")
    tutor, _ = await _subscribed(world, "tutor")
    topic = _topic(world)
    message = world.objects["message_group_a"].pk
    refused = await member.request(
        {"type": "moderate", "topic": topic, "message": message, "action": "mute", "reason": "x"}
    )
    assert refused["code"] == "forbidden"
    unknown = await tutor.request(
        {"type": "moderate", "topic": topic, "message": message, "action": "ban", "reason": "x"}
    )
    assert unknown["code"] == "invalid"
    muted = await tutor.request(
        {
            "type": "moderate",
            "topic": topic,
            "message": message,
            "action": "mute",
            "hours": 1,
            "reason": "calm down",
        }
    )
    assert muted["type"] == "ack" and muted["user"] == world.people["member"].pk
    blocked = await member.request(
        {"type": "post", "topic": topic, "body": "hey", "client_id": "mute-s-1"}
    )
    assert blocked["code"] == "muted"
    removed = await tutor.request(
        {
            "type": "moderate",
            "topic": topic,
            "message": message,
            "action": "remove",
            "reason": "rules",
        }
    )
    assert removed["type"] == "ack"
    frame, _ = await member.recv_until("unsubscribed", timeout=5)
    assert frame["code"] == "forbidden"
    missing = await tutor.request(
        {"type": "moderate", "topic": topic, "message": 999999, "action": "hide", "reason": "x"}
    )
    assert missing["code"] == "not_found"
    await member.close()
    await tutor.close()
