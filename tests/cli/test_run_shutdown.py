"""``nexios run`` stops gracefully: open WebSockets are told 1001 ("going away").

Plain ``uvicorn app:app`` closes WebSockets itself with 1012 before the app hears of the
shutdown (see tests/pressure/test_graceful_shutdown.py); ``nexios run`` lets the app close them
first.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

APP = """
from nexios import get_application

app = get_application()


@app.get("/")
async def index(request, response):
    return {"ok": True}


@app.websocket("/ws")
async def echo(ws):
    await ws.accept()
    async for message in ws.iter_text():
        await ws.send_text(message)
"""


@pytest.mark.anyio
async def test_sigterm_closes_open_websockets_with_1001(
    nexios_server: Callable[..., Any], write_module: Callable[..., Path]
) -> None:
    write_module("ws_app", APP)
    server = nexios_server(["run", "ws_app:app"])
    ws_url = server.base_url.replace("http://", "ws://") + "/ws"
    async with connect(ws_url) as websocket:
        await websocket.send("hi")
        assert await websocket.recv() == "hi"
        os.killpg(server.process.pid, signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed, anyio.fail_after(10):
            await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001
    exit_code = await anyio.to_thread.run_sync(server.process.wait, 15)
    assert exit_code in (0, -signal.SIGTERM), server.output()
    assert "Traceback" not in server.output()
