"""The registry of topic kinds the one socket multiplexes.

A topic is ``<kind>.<id>`` (``chat.42``, ``user.7``; later ``board.3``,
``round.5``). Each app says, in its ``realtime.py`` and from its
``AppConfig.ready``, who may subscribe to its topics, how to load what a
client missed, and which actions it accepts over the socket. All three are
plain sync functions: the consumer runs them in the database thread.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

TOPIC_RE = re.compile(r"([a-z][a-z0-9_]{0,30})\.([1-9][0-9]{0,17})")


@dataclass(frozen=True)
class Grant:
    """Leave to follow one topic, as decided at subscribe.

    ``space_id`` names the space whose membership the grant depends on (an
    ``access.changed`` event for that space makes the consumer ask again);
    ``head`` is the stream's position when the grant was given; events about
    items that began before ``floor`` (their ``origin``) reach this subscriber
    as bare "closed" frames.
    """

    topic: str
    space_id: int | None
    head: int = 0
    context: object = None
    floor: int = 0


@dataclass(frozen=True)
class TopicKind:
    """How one kind of topic behaves.

    - ``authorize(user, key) -> Grant | None``: None refuses (unknown or not allowed,
      the same answer so existence is not revealed).
    - ``backlog(grant, after, limit) -> [(seq, frame_text)]``: the stored events after
      position ``after``, oldest first, at most ``limit``.
    - ``actions``: frame type -> ``handler(user, grant, frame) -> dict`` (the ack's data);
      handlers call the app's actions, which check permission again.
    - ``contiguous``: positions have no gaps (the consumer fills any gap it sees from
      the database); otherwise positions only grow.
    """

    name: str
    authorize: Callable
    backlog: Callable
    actions: Mapping[str, Callable] = field(default_factory=dict)
    contiguous: bool = True


_kinds: dict[str, TopicKind] = {}


def register(kind):
    _kinds[kind.name] = kind
    return kind


def parse(topic):
    """``(kind, key)`` for a well-formed topic of a registered kind, else None."""
    if not isinstance(topic, str):
        return None
    match = TOPIC_RE.fullmatch(topic)
    if not match or match.group(1) not in _kinds:
        return None
    return _kinds[match.group(1)], int(match.group(2))


def kinds():
    return dict(_kinds)
