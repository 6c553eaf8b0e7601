"""WebSockets under real uvicorn: echo, JSON, the message size limit (close 1009) and the
origin check (SECURITY.md "WebSockets")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from nexios import get_application
from nexios_core.limits import MIB

pytestmark = pytest.mark.anyio

LiveServer = Callable[..., str]


def ws_app() -> Any:
    app = get_application()

    @app.websocket("/echo/{room}")
    async def echo(ws: Any) -> None:
        await ws.accept()
        room = ws.path_params["room"]
        while True:
            text = await ws.receive_text()
            if text == "json":
                await ws.send_json({"room": room, "kind": "json"})
            else:
                await ws.send_text(f"{room}:{len(text)}:{text[:10]}")

    return app


async def test_echo_and_json(live_server: LiveServer) -> None:
    base_url = live_server(ws_app(), log_config=None, log_level="warning")
    async with connect(base_url.replace("http", "ws") + "/echo/lobby") as ws:
        await ws.send("hello")
        assert await ws.recv() == "lobby:5:hello"
        await ws.send("json")
        assert await ws.recv() == '{"room":"lobby","kind":"json"}'


async def test_message_size_limit_closes_with_1009(live_server: LiveServer) -> None:
    base_url = live_server(ws_app(), log_config=None, log_level="warning")
    url = base_url.replace("http", "ws") + "/echo/big"
    async with connect(url, max_size=None) as ws:
        await ws.send("a" * MIB)  # exactly at the limit: accepted
        assert await ws.recv() == f"big:{MIB}:aaaaaaaaaa"
        await ws.send("a" * (MIB + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_cross_origin_handshake_is_refused(live_server: LiveServer) -> None:
    base_url = live_server(ws_app(), log_config=None, log_level="warning")
    url = base_url.replace("http", "ws") + "/echo/x"
    with pytest.raises((InvalidStatus, ConnectionClosed)):
        async with connect(url, origin="https://evil.example") as ws:  # type: ignore[arg-type]
            await ws.send("hi")
            await ws.recv()
    async with connect(url, origin=base_url) as ws:  # type: ignore[arg-type]
        await ws.send("same-origin")
        assert (await ws.recv()).startswith("x:11:")
