"""Which app ``ChannelBox`` works on: the innermost app handling the request (a mounted app inside
its parent), the app whose start-up started a task, and none in a task a handler started."""

from __future__ import annotations

import asyncio
from typing import Any

from nexios import get_application
from nexios.testclient import TestClient
from nexios.websockets import WebSocket
from nexios.websockets.channels import Channel, ChannelBox
from nexios_core.current_app import current_app


def test_a_mounted_app_is_the_current_app_inside_its_parent() -> None:
    parent, child = get_application(), get_application()
    seen: list[Any] = []

    @parent.get("/where")
    async def where_parent(request: Any, response: Any) -> Any:
        seen.append(current_app())
        return {"groups": list(await ChannelBox.show_groups())}

    @child.get("/where")
    async def where_child(request: Any, response: Any) -> Any:
        seen.append(current_app())
        return {"groups": list(await ChannelBox.show_groups())}

    @child.websocket("/join")
    async def join(ws: WebSocket) -> None:
        await ws.accept()
        await ChannelBox.add_channel_to_group(Channel(ws), "child-only")
        await ws.send_text("joined")
        await ws.receive_text()

    parent.mount("/child", child)
    with TestClient(parent) as client, client.websocket_connect("/child/join") as ws:
        assert ws.receive_text() == "joined"
        assert client.get("/where").json() == {"groups": []}
        assert client.get("/child/where").json() == {"groups": ["child-only"]}
    assert seen == [parent, child]


def test_tasks_started_at_start_up_see_their_app_and_tasks_started_by_a_handler_do_not() -> None:
    app = get_application()
    found: dict[str, Any] = {}

    async def background(label: str) -> None:
        found[label] = current_app()

    @app.on_startup
    async def start() -> None:
        await asyncio.get_running_loop().create_task(background("startup task"))

    @app.get("/spawn")
    async def spawn(request: Any, response: Any) -> Any:
        await asyncio.get_running_loop().create_task(background("handler task"))
        try:
            await asyncio.get_running_loop().create_task(ChannelBox.group_send("g", {}))
        except RuntimeError as exc:
            return {"error": str(exc)}
        return {"error": None}

    with TestClient(app) as client:
        answer = client.get("/spawn").json()
    assert found["startup task"] is app
    assert found["handler task"] is None
    assert "app.channel_layer" in answer["error"]
