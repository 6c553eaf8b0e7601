"""WebSockets: a handler, path and query parameters, JSON, closing with a code, the origin policy,
the message size limit and a class-based consumer with groups (docs/websockets.md)."""

from __future__ import annotations

from typing import Any

from nexios import get_application
from nexios.dependencies import Query
from nexios.exceptions import WebSocketDisconnect, WebSocketException
from nexios.limits import Limits
from nexios.websockets import WebSocket, WebSocketConsumer

app = get_application(websocket_allowed_origins=["https://app.example.com"])
left: list[int] = []  # close codes of finished /echo connections (read by the tests)


@app.websocket("/echo")
async def echo(ws: WebSocket) -> None:
    await ws.accept()
    try:
        while True:
            message = await ws.receive_text()
            await ws.send_text(f"Echo: {message}")
    except WebSocketDisconnect as exc:   # the client left (or a limit closed the socket)
        left.append(exc.code)


@app.websocket("/rooms/{room}")
async def join_room(ws: WebSocket, room: str, nickname: str = Query("guest")) -> None:
    await ws.accept()
    await ws.send_json({"room": room, "nickname": nickname})
    async for message in ws.iter_json():  # ends quietly when the client leaves
        await ws.send_json({"room": room, "echo": message})


@app.websocket("/private")
async def private(ws: WebSocket) -> None:
    if ws.query_params.get("token") != "let-me-in":
        raise WebSocketException(1008, "Bad token")  # refuses the handshake (HTTP 403)
    await ws.accept()
    await ws.send_text("welcome")
    await ws.close(4000, "Bye for now")


@app.websocket("/uploads", limits=Limits(max_websocket_message_size=64 * 1024))
async def uploads(ws: WebSocket) -> None:
    await ws.accept()
    async for chunk in ws.iter_bytes():
        await ws.send_json({"received": len(chunk)})


@app.websocket("/widget", allowed_origins=["*"])
async def widget(ws: WebSocket) -> None:
    await ws.accept()                      # embeddable anywhere: no origin check here
    await ws.send_text(f"hello from {ws.origin or 'a non-browser client'}")
    await ws.close()


# --- A class-based consumer with groups ----------------------------------------------------------
class ChatRoom(WebSocketConsumer):
    encoding = "json"                      # on_receive gets parsed JSON

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.room = websocket.path_params["room"]
        await self.join_group(self.room)   # left automatically when the connection ends

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise WebSocketException(1007, 'Send {"user": ..., "text": ...}')
        message = {"from": data.get("user", "anonymous"), "text": data["text"]}
        await self.broadcast(message, group_name=self.room)


app.add_ws_route("/chat/{room}", ChatRoom.as_handler())
