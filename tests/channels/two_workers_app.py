"""The app two uvicorn processes serve in ``test_two_workers.py``: WebSocket rooms on a Redis
channel layer, configured from the environment as a deployment would be
(``NEXIOS_TEST_REDIS_URL``, ``NEXIOS_TEST_PREFIX``, ``NEXIOS_TEST_MEMBERSHIP_TTL``)."""

from __future__ import annotations

import os
from typing import Any

from nexios import get_application
from nexios.websockets import WebSocket, WebSocketConsumer
from nexios.websockets.channels import ChannelBox, RedisChannelLayer

layer = RedisChannelLayer(
    os.environ["NEXIOS_TEST_REDIS_URL"],
    prefix=os.environ["NEXIOS_TEST_PREFIX"],
    membership_ttl=float(os.environ.get("NEXIOS_TEST_MEMBERSHIP_TTL", "30")),
    reconnect_delay=(0.1, 1.0),
)
app = get_application(channel_layer=layer)


class Room(WebSocketConsumer):
    encoding = "json"

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        room = websocket.path_params["room"]
        await self.join_group(room)  # a Redis outage closes the connection with 1013 here
        await websocket.send_json({"joined": room, "pid": os.getpid()})


app.add_ws_route("/ws/{room}", Room.as_handler())


@app.post("/broadcast/{room}")
async def broadcast(request: Any, response: Any, room: str) -> Any:
    status = await ChannelBox.group_send(room, await request.json)  # 503 while Redis is down
    return {"status": status.value, "pid": os.getpid()}


@app.get("/members/{room}")
async def members(request: Any, response: Any, room: str) -> Any:
    return {"count": await request.app.channel_layer.member_count(room), "pid": os.getpid()}
