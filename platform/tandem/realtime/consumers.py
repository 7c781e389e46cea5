"""The one WebSocket consumer: authenticate, subscribe, resume, relay, act.

The protocol is described in docs/realtime.md. Two rules keep it fast and
correct:

- Delivery does no database work: an event's frame is serialised once by the
  publisher and passed on after a dictionary lookup (is this topic granted
  on this socket? is the position new?). Grants are decided at subscribe
  and decided again when an ``access.changed`` event, a ``session.check``
  event or the periodic re-validation says they may have changed.
- The database is the truth. The consumer keeps the last position it sent
  per topic; a live event that is old is dropped, and one that skips ahead
  first has the gap filled from the database, so each subscriber sees every
  position once, in order, even when the channel layer loses or reorders.
"""

import asyncio
import contextlib
import functools
import json
import logging
import random
import re
import time
import uuid
import weakref

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from tandem.spaces.permissions import forget_roles

from . import frames, publish, sessions, topics
from .publish import access_mark_key, group_for, user_group

log = logging.getLogger(__name__)

# Close codes (4000-4999 are the application's own).
CLOSE_SIGNED_OUT = 4401
CLOSE_TOO_MANY = 4429
# The server lost this socket's channel layer (Redis stalled or went away): reconnect.
CLOSE_LAYER_FAULT = 4503
LAYER_CLEANUP_SECONDS = 5

BACKLOG_PAGE = 200
GROUP_REJOIN_SECONDS = 3600
REF_MAX = 64
# Frames answered at once; every other type is an action, run in order after the ones before.
CONTROL_FRAMES = frozenset({"ping", "subscribe", "unsubscribe", "resume"})
LAYER_CHECK_SECONDS = 2
LAYER_EPOCH_KEY = "ws:layer-epoch"
LAYER_EPOCH_TTL = 3600  # kept while any process watches; gone an hour after the last stops

MESSAGES = {
    "frame_too_large": _("This is too long to send at once. Make it shorter and try again."),
    "binary_not_supported": _("Only text frames are understood."),
    "malformed": _("The frame is not a JSON object."),
    "unknown_type": _("This frame type is not known."),
    "invalid": _("A field of the frame is missing or wrong."),
    "unknown_topic": _("This topic does not exist."),
    "forbidden": _("You may not do this here."),
    "not_found": _("This does not exist, or you may not see it."),
    "not_subscribed": _("Subscribe to the topic first."),
    "too_many_topics": _("This connection follows too many topics."),
    "too_many_connections": _("You have too many connections open. Close a tab and try again."),
    "rate_limited": _("Too many frames. Slow down and try again in a minute."),
    "signed_out": _("You are signed out."),
    "server_error": _("Something went wrong on our side. Try again."),
}


class FrameError(Exception):
    def __init__(self, code, message=None, topic=None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.topic = topic


# A "ref" member that opens or closes a frame: the key, then a short string or an integer.
_REF_VALUE = r'("(?:[^"\\\x00-\x1f]|\\.){0,64}"|-?[0-9]{1,20})'
_REF_AT_START = re.compile(r'^\s*\{\s*"ref"\s*:\s*' + _REF_VALUE + r"\s*[,}]")
_REF_AT_END = re.compile(r',\s*"ref"\s*:\s*' + _REF_VALUE + r"\s*\}\s*$")
_PEEK_CHARS = 200


def _valid_ref(ref):
    if not isinstance(ref, (str, int)) or isinstance(ref, bool) or len(str(ref)) > REF_MAX:
        return None
    return ref


def _peek_ref(text):
    """The ``ref`` of a frame too large to parse, read from its first or last characters.

    Only a member that opens or closes the object is taken, so a "ref" written in
    the text of a message is never mistaken for it.
    """
    for match in (
        _REF_AT_START.search(text[:_PEEK_CHARS]),
        _REF_AT_END.search(text[-_PEEK_CHARS:]),
    ):
        if match:
            try:
                return _valid_ref(json.loads(match.group(1)))
            except ValueError:
                return None
    return None


def _limits():
    limits = settings.TANDEM
    return {
        "frame_bytes": limits["WS_MAX_FRAME_BYTES"],
        "topics": limits["WS_MAX_TOPICS"],
        "connections": limits["WS_MAX_CONNECTIONS_PER_USER"],
        # Any frames per socket; never below what the post limit itself allows.
        "frames_per_minute": max(
            limits.get("WS_FRAMES_PER_MINUTE", 600), 4 * limits["POSTS_PER_MINUTE"]
        ),
        "heartbeat": limits.get("WS_HEARTBEAT_SECONDS", 25),
        "revalidate": limits.get("WS_REVALIDATE_SECONDS", 600),
        "access_check": limits.get("WS_ACCESS_CHECK_SECONDS", 40),
    }


def _language_for(user, scope):
    """The person's chosen language, else their browser's, else the default."""
    supported = {code for code, _name in settings.LANGUAGES}
    if getattr(user, "interface_language", "") in supported:
        return user.interface_language
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            from django.utils.translation.trans_real import parse_accept_lang_header

            for code, _q in parse_accept_lang_header(value.decode("latin-1")):
                code = code.split("-")[0].lower()
                if code in supported:
                    return code
    return settings.LANGUAGE_CODE


def _run_in_language(language, func, *args, **kwargs):
    with translation.override(language):
        return func(*args, **kwargs)


def _reauthorize(user, grants):
    """Ask again, with fresh roles, for each of ``grants``; the ones still given."""
    forget_roles(user)
    fresh = {}
    for topic in grants:
        parsed = topics.parse(topic)
        if parsed is None:
            continue
        kind, key = parsed
        again = kind.authorize(user, key)
        if again is not None:
            fresh[topic] = again
    return fresh


def _tick(user_id, slot, channel_name):
    """One round of a socket's watch: keep its slot, and read the person's access mark."""
    sessions.refresh_slot(user_id, slot, channel_name)
    return cache.get(access_mark_key(user_id))


def _claim(user_id, channel_name, limit):
    return sessions.claim_slot(user_id, channel_name, limit), cache.get(access_mark_key(user_id))


def _revalidate(user, session_key, grants):
    if not sessions.session_is_current(session_key, user.pk):
        return None
    return _reauthorize(user, grants)


def _act(language, handler, user, grant, frame, events):
    """Run a socket action; what it broadcasts is kept in ``events`` for the loop to send."""
    forget_roles(user)
    with translation.override(language), publish.holding(events):
        try:
            return handler(user, grant, frame)
        except ValidationError as error:
            # Turn lazy messages into the person's language here, in this thread.
            raise FrameError(
                getattr(error, "code", None) or "invalid",
                str(error.messages[0]) if error.messages else None,
                topic=grant.topic,
            ) from None


# The open sockets of this process, and the one task that watches the shared layer.
_open = weakref.WeakSet()
_layer_watch = None
_sending = set()  # broadcasts of actions whose socket closed first, until they are sent


def _send_later(layer, events, action):
    """The action's socket closed while it ran: send its broadcasts now that it is done."""
    if not action.cancelled() and action.exception() is not None:
        log.warning("a socket action failed after its socket closed: %r", action.exception())
    task = asyncio.ensure_future(publish.send_held(layer, events))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


def _layer_is_shared():
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return "InMemory" not in backend


def _start_layer_watch():
    global _layer_watch
    if not _layer_is_shared():
        return
    loop = asyncio.get_running_loop()
    if _layer_watch is None or _layer_watch.done() or _layer_watch.get_loop() is not loop:
        _layer_watch = loop.create_task(_watch_layer())


def _stop_layer_watch():
    if _layer_watch is not None and not _open and not _layer_watch.done():
        _layer_watch.cancel()


async def _watch_layer():
    """Notice that the shared channel layer forgot its groups, and tell this process's sockets.

    Redis restarted without its data forgets every group membership: the open
    sockets stay open and hear nothing more, not even a sign-out. A marker kept in
    the cache (the same Redis) that changes, vanishes, or could not be read means
    each socket joins its groups again, fills what it missed from the database and
    checks its session and grants again.
    """
    seen = None
    failed = False
    while True:
        try:
            await cache.aadd(LAYER_EPOCH_KEY, uuid.uuid4().hex, timeout=LAYER_EPOCH_TTL)
            epoch = await cache.aget(LAYER_EPOCH_KEY)
            await cache.atouch(LAYER_EPOCH_KEY, LAYER_EPOCH_TTL)
        except Exception:
            failed = True
            await asyncio.sleep(LAYER_CHECK_SECONDS)
            continue
        if seen is not None and (failed or epoch != seen):
            log.warning("channel layer lost its state; %d sockets join again", len(_open))
            for consumer in list(_open):
                with contextlib.suppress(Exception):
                    await consumer.channel_layer.send(
                        consumer.channel_name, {"type": "layer.rejoin"}
                    )
        seen, failed = epoch, False
        await asyncio.sleep(LAYER_CHECK_SECONDS)


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    user = None
    slot = None
    watch = None
    accepted = False
    actions = None
    action_worker = None

    async def __call__(self, scope, receive, send):
        """Run the socket; a fault of the channel layer ends it cleanly instead of crashing.

        A read from the layer that fails (Redis stalled past its socket timeout, or
        gone) would end the consumer without ``disconnect``: its watch would keep
        its connection slot for good and its groups would stay. Here the socket is
        closed with ``CLOSE_LAYER_FAULT`` (the client reconnects and resumes), and
        the slot and groups are given up as on any disconnect.
        """
        try:
            await super().__call__(scope, receive, send)
        except Exception as error:
            if not self.accepted:
                raise
            log.warning("socket closed after a channel layer fault: %r", error)
            with contextlib.suppress(Exception):
                await self.close(code=CLOSE_LAYER_FAULT)
            await self.disconnect(CLOSE_LAYER_FAULT)

    async def dispatch(self, message):
        """Run the message's handler, without Channels' database hop before it.

        Channels closes stale database connections before every handler, through
        the one database thread: a delivery (``topic.event``) then waits behind the
        posts being stored. Here every database call runs in ``database_sync_to_async``,
        which closes them around the call itself, and a delivery touches no database.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # -- connection -------------------------------------------------------------------------

    async def connect(self):
        user = self.scope.get("user")
        if isinstance(user, LazyObject):
            user = getattr(user, "_wrapped", user)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            await self.close()
            return
        self.limits = _limits()
        self.user = user
        self.language = _language_for(user, self.scope)
        self.grants = {}
        self.positions = {}
        self.frame_window, self.frame_count = None, 0
        self.watch = None
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        self.slot, self.access_mark = await database_sync_to_async(_claim)(
            user.pk, self.channel_name, self.limits["connections"]
        )
        await self.accept()
        self.accepted = True
        if self.slot is None:
            await self._send_error("too_many_connections")
            await self.close(code=CLOSE_TOO_MANY)
            return
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.send_json(
            {
                "type": "hello",
                "user": user.pk,
                "heartbeat": self.limits["heartbeat"],
                "max_frame_bytes": self.limits["frame_bytes"],
                "max_topics": self.limits["topics"],
            }
        )
        self.watch = asyncio.create_task(self._watch())
        _open.add(self)
        _start_layer_watch()

    async def disconnect(self, code):
        if self.user is None or getattr(self, "_gone", False):
            return
        self._gone = True
        _open.discard(self)
        _stop_layer_watch()
        if self.watch is not None:
            self.watch.cancel()
        if self.action_worker is not None:
            # An action already running still finishes, and what it stored is broadcast.
            self.action_worker.cancel()
        if self.slot is not None:
            # Each step on its own: a layer that fails must not keep the slot taken.
            groups = [user_group(self.user.pk), *(group_for(topic) for topic in self.grants)]
            for group in groups:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        self.channel_layer.group_discard(group, self.channel_name),
                        LAYER_CLEANUP_SECONDS,
                    )
            with contextlib.suppress(Exception):
                await database_sync_to_async(sessions.release_slot)(
                    self.user.pk, self.slot, self.channel_name
                )
        self.grants = {}

    async def _watch(self):
        """Keep the connection slot, and check the session and grants again when needed.

        Each round reads the person's access mark (a cache read); a changed or
        vanished mark means an event may have been lost, so the socket checks
        again at once. The full check from the database also runs every
        ``revalidate`` seconds, for what leaves no mark (a session that expired).
        Rounds start at a random offset, so sockets opened together (after a
        restart) do not all check together.
        """
        interval = min(
            self.limits["access_check"], self.limits["revalidate"], sessions.SLOT_TTL / 3
        )
        last_check = last_join = time.monotonic()
        delay = random.uniform(0.5, 1.0) * interval  # noqa: S311 (spreads timers)
        while True:
            try:
                await asyncio.sleep(delay)
                delay = interval
                mark = await database_sync_to_async(_tick)(
                    self.user.pk, self.slot, self.channel_name
                )
                due = time.monotonic() - last_check >= self.limits["revalidate"]
                if due or mark != self.access_mark:
                    self.access_mark = mark
                    last_check = time.monotonic()
                    await self._recheck()
                if time.monotonic() - last_join >= GROUP_REJOIN_SECONDS:
                    # Layers forget group members after a while (a day in channels-redis).
                    last_join = time.monotonic()
                    await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
                    for topic in list(self.grants):
                        await self.channel_layer.group_add(group_for(topic), self.channel_name)
            except asyncio.CancelledError:
                return
            except Exception:
                # A database or Redis hiccup: try again on the next round.
                log.exception("realtime watch round failed")

    async def _recheck(self, space_id=None):
        """Session still good? Topics still granted? Close or drop what no longer holds."""
        checked = {
            topic: grant
            for topic, grant in self.grants.items()
            if space_id is None or grant.space_id in (None, space_id)
        }
        fresh = await database_sync_to_async(_revalidate)(self.user, self.session_key, checked)
        if fresh is None:
            await self._send_error("signed_out")
            await self.close(code=CLOSE_SIGNED_OUT)
            self.grants = {}
            return
        for topic in checked:
            if topic in fresh and topic in self.grants:
                self.grants[topic] = fresh[topic]
            elif topic in self.grants:
                await self._drop(topic)
                await self.send_json(
                    {
                        "type": "unsubscribed",
                        "topic": topic,
                        "code": "forbidden",
                        "message": self._text("forbidden"),
                    }
                )

    async def _drop(self, topic):
        self.grants.pop(topic, None)
        self.positions.pop(topic, None)
        await self.channel_layer.group_discard(group_for(topic), self.channel_name)

    # -- frames in --------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.user is None:
            return
        ref = None
        try:
            if text_data is None:
                raise FrameError("binary_not_supported")
            if len(text_data) > self.limits["frame_bytes"] or (
                len(text_data.encode("utf-8")) > self.limits["frame_bytes"]
            ):
                # Not parsed: its ref, if it leads or ends the frame, tells the client which.
                ref = _peek_ref(text_data)
                raise FrameError("frame_too_large")
            try:
                frame = json.loads(text_data)
            except (ValueError, RecursionError):
                # RecursionError: nested deeper than the parser goes; a bad frame, not a fault.
                raise FrameError("malformed") from None
            if not isinstance(frame, dict):
                raise FrameError("malformed")
            ref = _valid_ref(frame.get("ref"))
            self._count_frame()
            kind = frame.get("type")
            if isinstance(kind, str) and kind not in CONTROL_FRAMES:
                # Actions wait for the database; pings and subscriptions do not wait for them.
                self._queue_action(kind, frame, ref)
                return
            await self.receive_json(frame, ref=ref)
        except FrameError as error:
            await self._send_error(error.code, ref=ref, topic=error.topic, message=error.message)
        except Exception:
            log.exception("realtime frame failed")
            await self._send_error("server_error", ref=ref)

    def _queue_action(self, kind, frame, ref):
        """Run the socket's actions one after another, in order, beside its other frames."""
        if self.actions is None:
            self.actions = asyncio.Queue()
            self.action_worker = asyncio.create_task(self._run_actions())
        self.actions.put_nowait((kind, frame, ref))

    async def _run_actions(self):
        while True:
            kind, frame, ref = await self.actions.get()
            try:
                await self.on_action(kind, frame, ref)
            except FrameError as error:
                await self._send_error(
                    error.code, ref=ref, topic=error.topic, message=error.message
                )
            except Exception:
                log.exception("realtime action failed")
                with contextlib.suppress(Exception):
                    await self._send_error("server_error", ref=ref)

    def _count_frame(self):
        window = int(time.monotonic() // 60)
        if window != self.frame_window:
            self.frame_window, self.frame_count = window, 0
        self.frame_count += 1
        if self.frame_count > self.limits["frames_per_minute"]:
            raise FrameError("rate_limited")

    async def receive_json(self, frame, ref=None):
        kind = frame.get("type")
        handler = {
            "ping": self.on_ping,
            "subscribe": self.on_subscribe,
            "unsubscribe": self.on_unsubscribe,
            "resume": self.on_resume,
        }.get(kind)
        if handler is not None:
            await handler(frame, ref)
            return
        if not isinstance(kind, str):
            raise FrameError("unknown_type")
        await self.on_action(kind, frame, ref)

    async def on_ping(self, frame, ref):
        await self.send_json({"type": "pong", "ref": ref, "time": int(time.time() * 1000)})

    async def on_subscribe(self, frame, ref):
        topic = frame.get("topic")
        after = frame.get("after")
        if after is not None and (
            not isinstance(after, int) or isinstance(after, bool) or after < 0
        ):
            raise FrameError("invalid", topic=topic if isinstance(topic, str) else None)
        await self._subscribe(topic, after, ref)

    async def on_resume(self, frame, ref):
        wanted = frame.get("topics")
        if not isinstance(wanted, dict) or not wanted:
            raise FrameError("invalid")
        for topic, after in wanted.items():
            try:
                if after is not None and (
                    not isinstance(after, int) or isinstance(after, bool) or after < 0
                ):
                    raise FrameError("invalid", topic=topic)
                await self._subscribe(topic, after, ref)
            except FrameError as error:
                # One refused topic never stops the others.
                await self._send_error(error.code, ref=ref, topic=topic, message=error.message)

    async def _subscribe(self, topic, after, ref):
        parsed = topics.parse(topic)
        if parsed is None:
            raise FrameError("unknown_topic", topic=topic if isinstance(topic, str) else None)
        kind, key = parsed
        if topic not in self.grants and len(self.grants) >= self.limits["topics"]:
            raise FrameError("too_many_topics", topic=topic)
        # Join the group before reading the head, so nothing committed in between is missed;
        # live events wait in the channel until this handler returns.
        await self.channel_layer.group_add(group_for(topic), self.channel_name)
        grant = await database_sync_to_async(kind.authorize)(self.user, key)
        if grant is None:
            if topic not in self.grants:
                await self.channel_layer.group_discard(group_for(topic), self.channel_name)
            self.grants.pop(topic, None)
            self.positions.pop(topic, None)
            raise FrameError("forbidden", topic=topic)
        self.grants[topic] = grant
        await self.send_json(
            {
                "type": "subscribed",
                "topic": topic,
                "head": grant.head,
                "contiguous": kind.contiguous,
                "ref": ref,
            }
        )
        if after is None:
            self.positions[topic] = grant.head
            return
        # A position beyond the head (a client from before a restore) restarts at the head.
        self.positions[topic] = min(after, grant.head)
        await self._fill(topic, upto=grant.head)

    async def on_unsubscribe(self, frame, ref):
        topic = frame.get("topic")
        if not isinstance(topic, str) or topic not in self.grants:
            raise FrameError("not_subscribed", topic=topic if isinstance(topic, str) else None)
        await self._drop(topic)
        await self.send_json({"type": "unsubscribed", "topic": topic, "ref": ref})

    async def on_action(self, name, frame, ref):
        topic = frame.get("topic")
        parsed = topics.parse(topic)
        if parsed is None:
            if not isinstance(topic, str):
                raise FrameError("unknown_type" if name not in _all_actions() else "invalid")
            raise FrameError("unknown_topic", topic=topic)
        kind, _key = parsed
        handler = kind.actions.get(name)
        if handler is None:
            raise FrameError("unknown_type", topic=topic)
        grant = self.grants.get(topic)
        if grant is None:
            raise FrameError("not_subscribed", topic=topic)
        events = []
        action = asyncio.ensure_future(
            database_sync_to_async(_act)(self.language, handler, self.user, grant, frame, events)
        )
        try:
            result = await asyncio.shield(action)
        except PermissionDenied:
            raise FrameError("forbidden", topic=topic) from None
        except (Http404, ObjectDoesNotExist):
            raise FrameError("not_found", topic=topic) from None
        finally:
            # Whatever was committed is broadcast: when the action failed after its
            # commit, and when the socket closed while the action was still running.
            if not action.done():
                action.add_done_callback(functools.partial(_send_later, self.channel_layer, events))
            elif action.cancelled() or action.exception() is not None:
                await publish.send_held(self.channel_layer, events)
        # The ack first, then the broadcast: the poster hears of its post before its event.
        try:
            await self.send_json({"type": "ack", "ref": ref, "topic": topic, **(result or {})})
        finally:
            await publish.send_held(self.channel_layer, events)

    # -- frames out -------------------------------------------------------------------------

    async def _fill(self, topic, upto=None):
        """Send the stored events after this socket's position (up to ``upto``)."""
        parsed = topics.parse(topic)
        grant = self.grants.get(topic)
        if parsed is None or grant is None:
            return
        kind, _key = parsed
        while True:
            position = self.positions.get(topic, 0)
            if upto is not None and position >= upto:
                return
            rows = await database_sync_to_async(kind.backlog)(grant, position, BACKLOG_PAGE)
            for seq, text in rows:
                if upto is not None and seq > upto:
                    return
                if seq > self.positions.get(topic, 0):
                    await self.send(text_data=text)
                    self.positions[topic] = seq
            if len(rows) < BACKLOG_PAGE:
                return

    async def topic_event(self, message):
        topic = message["topic"]
        grant = self.grants.get(topic)
        if grant is None:
            return
        seq = message["seq"]
        position = self.positions.get(topic, 0)
        if seq <= position:
            return
        if seq > position + 1:
            parsed = topics.parse(topic)
            if parsed is not None and parsed[0].contiguous:
                await self._fill(topic, upto=seq - 1)
                if topic not in self.grants or seq <= self.positions.get(topic, 0):
                    return
        origin = message.get("origin")
        quoted = message.get("quoted")
        if grant.floor and origin is not None and origin < grant.floor:
            await self.send(text_data=frames.closed(topic, seq))
        elif grant.floor and quoted is not None and quoted < grant.floor:
            await self.send(text_data=message["unquoted_frame"])
        else:
            await self.send(text_data=message["frame"])
        self.positions[topic] = seq

    async def notification_new(self, message):
        topic = f"user.{self.user.pk}"
        if topic not in self.grants:
            return
        data = {key: message.get(key, "") for key in ("id", "kind", "text", "url")}
        seq = message["id"]
        await self.topic_event(
            {
                "topic": topic,
                "seq": seq,
                "frame": frames.event(topic, seq, "notification.new", data),
            }
        )

    async def unread_changed(self, message):
        """Tell the page to count again, on its own topic: it fetches the counts it shows."""
        topic = f"user.{self.user.pk}"
        if topic in self.grants:
            await self.send(text_data=frames.dumps({"type": "unread", "topic": topic}))

    async def access_changed(self, message):
        await self._recheck(space_id=message.get("space"))

    async def layer_rejoin(self, message):
        """The channel layer came back empty: join again, fill the gap, check again."""
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        for topic in list(self.grants):
            await self.channel_layer.group_add(group_for(topic), self.channel_name)
        # Sign-outs and membership changes sent while the layer was away were lost.
        await self._recheck()
        for topic in list(self.grants):
            await self._fill(topic)

    async def session_check(self, message):
        await self._recheck()

    def _text(self, code, message=None):
        if message:
            return str(message)
        with translation.override(self.language):
            return str(MESSAGES.get(code, MESSAGES["invalid"]))

    async def _send_error(self, code, ref=None, topic=None, message=None):
        frame = {"type": "error", "code": code, "message": self._text(code, message), "ref": ref}
        if topic is not None:
            frame["topic"] = topic
        await self.send(text_data=frames.dumps(frame))


def _all_actions():
    names = set()
    for kind in topics.kinds().values():
        names |= set(kind.actions)
    return names
