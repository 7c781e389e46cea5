"""The only place that sends events through the channel layer.

Callers hand events over inside ``transaction.on_commit`` so nothing is
broadcast that the database does not hold. A socket action runs in the
database thread: there the events are held and the consumer sends them from
its event loop once the action returns, instead of the thread blocking on the
loop for each one.
"""

import contextlib
import logging
import threading
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache

from . import frames

log = logging.getLogger(__name__)


def group_for(topic):
    """Channels group names allow letters, digits, hyphens, underscores, periods."""
    return f"t.{topic}"


def user_group(user_id):
    return f"u.{user_id}"


_holding = threading.local()


@contextlib.contextmanager
def holding(events):
    """Within, this thread's events are appended to ``events`` as (group, event)."""
    previous = getattr(_holding, "events", None)
    _holding.events = events
    try:
        yield events
    finally:
        _holding.events = previous


async def send_held(layer, events):
    """Send what ``holding`` kept, in order; a lost event is logged (subscribers fill gaps)."""
    for group, event in events:
        try:
            await layer.group_send(group, event)
        except Exception:
            log.exception("could not broadcast to %s", group)


def _group_send(group, event):
    held = getattr(_holding, "events", None)
    if held is not None:
        held.append((group, event))
        return
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def send_to_topic(topic, event):
    _group_send(group_for(topic), event)


def send_to_user(user_id, event):
    _group_send(user_group(user_id), event)


# How long a person's access mark is kept; a socket that finds it gone checks again.
ACCESS_MARK_TTL = 24 * 3600


def access_mark_key(user_id):
    return f"ws:access:{user_id}"


def mark_access_changed(user_id):
    """Leave a new mark that every socket of the person reads on its next round.

    Events to the sockets may be lost (the layer is at most once); the mark is
    how a socket learns of a change without checking its session and grants
    from the database on every round.
    """
    try:
        cache.set(access_mark_key(user_id), uuid.uuid4().hex, timeout=ACCESS_MARK_TTL)
    except Exception:
        log.exception("could not mark user %s's access as changed", user_id)


def access_changed(user_id, space_id=None):
    """Tell the person's open sockets to check their topics again."""
    mark_access_changed(user_id)
    send_to_user(user_id, {"type": "access.changed", "space": space_id})


def topic_event(topic, seq, name, data, origin=None, unquoted=None):
    """Broadcast a stored event at position ``seq`` of ``topic`` to its subscribers.

    The frame is serialised once here; consumers pass the text on unchanged
    (but to a subscriber whose grant starts after ``origin``, the position the
    event's item began at, who gets a bare "closed" frame instead; and
    ``unquoted``, ``(position, data)``: to a subscriber whose grant starts after
    that position, the item quotes something they may not see, so they get
    ``data`` instead).
    The channel layer may drop it (at most once): subscribers fill gaps from
    the database, so a failure here is logged, never raised into the caller.
    """
    event = {
        "type": "topic.event",
        "topic": topic,
        "seq": seq,
        "frame": frames.event(topic, seq, name, data),
    }
    if origin is not None:
        event["origin"] = origin
    if unquoted is not None:
        event["quoted"] = unquoted[0]
        event["unquoted_frame"] = frames.event(topic, seq, name, unquoted[1])
    try:
        send_to_topic(topic, event)
    except Exception:
        log.exception("could not broadcast %s@%s", topic, seq)


def session_changed(user_id):
    """The person signed out, changed password or was deactivated: sockets re-check."""
    mark_access_changed(user_id)
    try:
        send_to_user(user_id, {"type": "session.check"})
    except Exception:
        log.exception("could not tell user %s's sockets to re-check", user_id)


def unread_changed(user_ids):
    """What the people have not read changed (a post, an edit, a read): their pages count again.

    Only a signal, without counts: one page may show a tab, another the header, and
    each asks for its own counts. Lost signals cost nothing stored; a page that
    reconnects counts again too.
    """
    for user_id in user_ids:
        try:
            send_to_user(user_id, {"type": "unread.changed"})
        except Exception:
            log.exception("could not tell user %s that their unread counts changed", user_id)
