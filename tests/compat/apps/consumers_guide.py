"""Upstream's WebSocket consumer and channels guides, as written there: a ``WebSocketConsumer``
with JSON encoding and groups, routed with ``ChatConsumer.as_route("/chat")``; a ``Channel`` made
with ``PayloadTypeEnum`` (sending through its public ``send``: the guide's ``channel._send`` is a
private method)."""

import typing

from nexios import NexiosApp
from nexios.websockets import WebSocket
from nexios.websockets.channels import Channel, PayloadTypeEnum
from nexios.websockets.consumers import WebSocketConsumer

app = NexiosApp()


class ChatConsumer(WebSocketConsumer):
    encoding = "json"  # Auto-decode JSON messages

    async def on_connect(self, websocket: WebSocket):
        await websocket.accept()
        await self.join_group("general_chat")
        await websocket.send_json({"channel": str(self.channel.uuid), "expires": self.channel.expires})

    async def on_receive(self, websocket: WebSocket, data: typing.Any):
        await self.broadcast(data, "general_chat")

    async def on_disconnect(self, websocket: WebSocket, close_code: int):
        await self.leave_group("general_chat")


# Register consumer as route
chat_route = ChatConsumer.as_route("/chat")
app.add_ws_route(chat_route)


class RawConsumer(WebSocketConsumer):
    encoding = None  # whatever the client sends

    async def on_receive(self, websocket, data):
        await websocket.send_json({"type": type(data).__name__})


app.add_ws_route(RawConsumer.as_route("/raw"))


@app.websocket("/channel")
async def chat_handler(ws: WebSocket):
    await ws.accept()

    # Create a channel with JSON payload and 30-minute expiration
    channel = Channel(
        websocket=ws,
        payload_type=PayloadTypeEnum.JSON.value,
        expires=1800  # 30 minutes
    )

    data = await ws.receive_json()
    await channel.send({"response": data, "expires": channel.expires})
    await ws.close()
