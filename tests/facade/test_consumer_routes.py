"""``WebSocketConsumer.as_route(path)``: a consumer routed the upstream way, with path parameters,
groups, per-connection instances and the class's WebSocket middleware."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import Router, get_application
from nexios.testclient import TestClient
from nexios.websockets import WebSocketConsumer
from nexios_core.testclient import WebSocketDenied
from nexios_routing import WebSocketRoute


async def members_only(websocket: Any, call_next: Any) -> None:
    if websocket.query_params.get("member") == "yes":
        await call_next()


class Room(WebSocketConsumer):
    encoding = "json"
    middleware = [members_only]

    greeting = "welcome"
    received = 0  # counted per connection: each one has its own instance

    async def on_connect(self, websocket: Any) -> None:
        await websocket.accept()
        await self.join_group(websocket.path_params["room"])
        await websocket.send_json({"greeting": self.greeting, "room": websocket.path_params["room"]})

    async def on_receive(self, websocket: Any, data: Any) -> None:
        self.received += 1
        await self.broadcast({"said": data["text"], "count": self.received}, websocket.path_params["room"])


def test_as_route_serves_each_connection_with_its_own_instance_and_path_parameters() -> None:
    app = get_application()
    route = Room.as_route("/rooms/{room}")
    assert isinstance(route, WebSocketRoute) and route.name == "Room"
    app.add_ws_route(route)
    with TestClient(app) as client:
        with client.websocket_connect("/rooms/lobby?member=yes") as ada, \
                client.websocket_connect("/rooms/lobby?member=yes") as bob, \
                client.websocket_connect("/rooms/other?member=yes") as eve:
            assert ada.receive_json() == {"greeting": "welcome", "room": "lobby"}
            bob.receive_json()
            eve.receive_json()
            ada.send_json({"text": "hi"})
            assert bob.receive_json() == {"said": "hi", "count": 1}
            assert ada.receive_json() == {"said": "hi", "count": 1}
            bob.send_json({"text": "yo"})
            assert ada.receive_json() == {"said": "yo", "count": 1}  # bob's instance counted its own
        with pytest.raises(WebSocketDenied), client.websocket_connect("/rooms/lobby"):
            pass  # the class's middleware refused it


async def tag(websocket: Any, call_next: Any) -> None:
    websocket.scope["tagged"] = True
    await call_next()


def test_a_consumer_route_in_a_router_with_a_converter() -> None:
    class Echo(WebSocketConsumer):
        middleware = [tag]

        async def on_receive(self, websocket: Any, data: Any) -> None:
            await websocket.send_text(f"{data}:{websocket.scope.get('tagged')}:{websocket.path_params['channel']!r}")

    router = Router(prefix="/api", routes=[Echo.as_route("/echo/{channel:int}")])
    app = get_application()
    app.mount_router(router)
    with TestClient(app) as client, client.websocket_connect("/api/echo/7") as ws:
        ws.send_text("ping")
        assert ws.receive_text() == "ping:True:7"
    assert app.url_for("Echo", channel=7) == "/api/echo/7"
    with TestClient(app) as client, pytest.raises(WebSocketDenied), client.websocket_connect("/api/echo/x"):
        pass  # the converter refuses "x": no route
