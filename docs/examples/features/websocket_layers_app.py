"""Sessions, authentication and middleware on WebSocket connections, and a consumer routed with
``as_route`` (docs/websocket-middleware.md)."""

from __future__ import annotations

import time
from typing import Any

from nexios import MakeConfig, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth, login
from nexios.auth.backends.session import SessionAuthBackend
from nexios.session.middleware import SessionMiddleware
from nexios.websockets import WebSocket, WebSocketConsumer

USERS = {1: SimpleUser("ada", ["chat"], id=1)}

app = get_application(config=MakeConfig({"secret_key": "change me: a long random string from the environment"}))
app.add_middleware(SessionMiddleware())  # websocket.session too
app.add_middleware(AuthenticationMiddleware(backend=SessionAuthBackend(USERS.get)))  # websocket.user too
connection_log: list[str] = []


async def log_connections(websocket: WebSocket, call_next: Any) -> None:
    started = time.monotonic()
    await call_next()  # the handler, for as long as the connection lasts
    connection_log.append(f"{websocket.url.path} open {time.monotonic() - started:.1f}s")


app.add_ws_middleware(log_connections)


@app.post("/login")
async def log_in(request: Any, response: Any) -> Any:
    await login(request, USERS[1])
    return {"user": "ada"}


@app.websocket("/private")
@auth(scopes=["chat"])  # refused before accept (close 1008, the handshake answers 403)
async def private_channel(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"hello": websocket.user.display_name})
    await websocket.close()


async def members_only(websocket: WebSocket, call_next: Any) -> None:
    if websocket.user:  # not calling call_next refuses the connection
        await call_next()


class RoomConsumer(WebSocketConsumer):
    encoding = "json"
    middleware = [members_only]

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await self.join_group(websocket.path_params["room"])

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        message = {"from": websocket.user.display_name, "text": data["text"]}
        await self.broadcast(message, websocket.path_params["room"])


app.add_ws_route(RoomConsumer.as_route("/rooms/{room}"))
