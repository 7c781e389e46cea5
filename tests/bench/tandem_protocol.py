"""Tandem's WebSocket frames (see docs/realtime.md), as the benchmark client speaks them."""

import json


def topic(conversation_id):
    return f"chat.{conversation_id}"


def subscribe(topic):
    return json.dumps({"type": "subscribe", "topic": topic})


def post(topic, body, client_id):
    return json.dumps({"type": "post", "topic": topic, "body": body, "client_id": client_id})
