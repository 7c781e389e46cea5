"""Frames the server sends, built in one place (see docs/realtime.md)."""

import json


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def event(topic, seq, name, data):
    """An event frame's text, built once and sent as is to every subscriber."""
    return dumps({"type": "event", "topic": topic, "seq": seq, "event": name, "data": data})
