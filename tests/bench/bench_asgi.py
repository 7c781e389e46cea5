"""The bench server: Tandem's application, plus the baseline relay at /relay/.

``/relay/`` is the baseline of the fan-out benchmark: a minimal Channels consumer
that only relays posts to its group through the same channel layer (``group_send``),
with no authentication, permission checks, storage or rendering. Everything else is
``tandem.asgi.application`` unchanged (with the bench settings' /bench-hello page).
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from tandem.asgi import application as tandem_application


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.topics = set()
        await self.accept()

    async def disconnect(self, code):
        for topic in self.topics:
            await self.channel_layer.group_discard(topic, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        kind = frame.get("type")
        topic = frame.get("topic", "")
        group = "t." + topic
        if kind == "subscribe":
            self.topics.add(group)
            await self.channel_layer.group_add(group, self.channel_name)
            await self.send(json.dumps({"type": "subscribed", "topic": topic}))
        elif kind == "post":
            text = json.dumps({"type": "message", "topic": topic, "body": frame.get("body")})
            await self.channel_layer.group_send(group, {"type": "relay", "text": text})

    async def relay(self, event):
        await self.send(event["text"])


relay_application = RelayConsumer.as_asgi()


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == "/relay/":
        return await relay_application(scope, receive, send)
    return await tandem_application(scope, receive, send)
