"""The app ``broadcast_fanout.py`` serves: every WebSocket on ``/ws`` joins group ``bench``;
``POST /send`` broadcasts its JSON body to the group. The channel layer is Redis when
``REDIS_URL`` is set (several workers), in process otherwise."""

from __future__ import annotations

import os
from typing import Any

from nexios import get_application
from nexios.websockets import WebSocket
from nexios.websockets.channels import Channel, ChannelBox, ChannelLayer, InMemoryChannelLayer


def channel_layer() -> ChannelLayer:
    url = os.environ.get("REDIS_URL")
    if url is None:
        return InMemoryChannelLayer()
    from nexios.websockets.channels import RedisChannelLayer

    return RedisChannelLayer(url, prefix=os.environ.get("BENCH_PREFIX", "bench:"))


app = get_application(channel_layer=channel_layer())


@app.websocket("/ws")
async def member(ws: WebSocket) -> None:
    await ws.accept()
    channel = Channel(ws, payload_type="json")
    await ChannelBox.add_channel_to_group(channel, "bench")
    await ws.send_text("ready")
    try:
        async for _ in ws.iter_text():
            pass
    finally:
        await ChannelBox.remove_channel_from_group(channel, "bench")


@app.post("/send")
async def send(request: Any, response: Any) -> Any:
    status = await ChannelBox.group_send("bench", await request.json)
    return {"status": status.value}
