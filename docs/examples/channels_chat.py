"""Channels and groups (docs/channels.md, docs/deployment.md): chat rooms whose messages reach
every connection, whichever worker it is on.

Without ``REDIS_URL`` the groups live in this process, which is right for one worker and for
tests. With it, they live in Redis and every worker shares them::

    REDIS_URL=redis://localhost:6379/0 uvicorn channels_chat:app --workers 2
"""

from __future__ import annotations

import os
from typing import Any

from nexios import get_application
from nexios.exceptions import WebSocketException
from nexios.websockets import WebSocket, WebSocketConsumer
from nexios.websockets.channels import Channel, ChannelBox, ChannelLayer, InMemoryChannelLayer


# --- Choosing the channel layer -------------------------------------------------------------------
def channel_layer() -> ChannelLayer:
    url = os.environ.get("REDIS_URL")
    if url is None:
        return InMemoryChannelLayer()          # one process: groups in memory
    from nexios.websockets.channels import RedisChannelLayer

    return RedisChannelLayer(url)              # several workers: groups in Redis


app = get_application(channel_layer=channel_layer())


# --- A room: a consumer that joins a group --------------------------------------------------------
class ChatRoom(WebSocketConsumer):
    encoding = "json"

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.room = websocket.path_params["room"]
        await self.join_group(self.room)       # left automatically when the connection ends
        await websocket.send_json({"joined": self.room, "worker": os.getpid()})

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise WebSocketException(1007, 'Send {"user": ..., "text": ...}')
        message = {"from": str(data.get("user", "anonymous")), "text": data["text"]}
        await self.broadcast(message, group_name=self.room)


app.add_ws_route("/chat/{room}", ChatRoom.as_handler())


# --- Sending from an HTTP handler -----------------------------------------------------------------
@app.post("/rooms/{room}/announce")
async def announce(request: Any, response: Any, room: str) -> Any:
    text = (await request.json)["text"]
    status = await ChannelBox.group_send(room, {"from": "system", "text": text})
    return {"status": status.value}            # "group_send", or "no_such_group"


@app.get("/rooms/{room}")
async def room_info(request: Any, response: Any, room: str) -> Any:
    return {"members": await request.app.channel_layer.member_count(room)}


# --- Channel and ChannelBox in a plain handler ----------------------------------------------------
@app.websocket("/notifications")
async def notifications(ws: WebSocket) -> None:
    await ws.accept()
    channel = Channel(ws, payload_type="json", expires=3600)
    await ChannelBox.add_channel_to_group(channel, "notifications")
    await ws.send_json({"subscribed": "notifications"})
    try:
        async for _ in ws.iter_text():         # until the client leaves
            pass
    finally:
        await ChannelBox.remove_channel_from_group(channel, "notifications")


@app.post("/notify")
async def notify(request: Any, response: Any) -> Any:
    status = await ChannelBox.group_send("notifications", await request.json, save_history=True)
    return {"status": status.value, "history": await ChannelBox.show_history("notifications")}
