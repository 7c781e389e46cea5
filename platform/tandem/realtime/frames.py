"""Frames the server sends, built in one place (see docs/realtime.md)."""

import json


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def event(topic, seq, name, data):
    """An event frame's text, built once and sent as is to every subscriber."""
    return dumps({"type": "event", "topic": topic, "seq": seq, "event": name, "data": data})


CLOSED = "closed"


def closed(topic, seq):
    """A position this subscriber may not see (say, history from before they joined):
    it keeps the stream gap-free and carries nothing."""
    return event(topic, seq, CLOSED, None)
