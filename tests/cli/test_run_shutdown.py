"""``nexios run`` stops gracefully: open WebSockets are told 1001 ("going away"); requests in
flight finish, and ``--timeout-graceful-shutdown`` bounds the wait for ones that never would.

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


@app.get("/slow")
async def slow(request, response):
    import asyncio
    await asyncio.sleep(1.5)
    return {"slow": "done"}


@app.get("/events")
async def events(request, response):
    import asyncio
    from nexios_core import StreamingResponse

    async def ticks():
        while True:
            yield b"data: tick\\n\\n"
            await asyncio.sleep(0.2)

    return StreamingResponse(ticks(), media_type="text/event-stream")


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


@pytest.mark.anyio
@pytest.mark.parametrize("bounded", [True, False])
async def test_sigterm_lets_requests_in_flight_finish_and_the_timeout_bounds_endless_ones(
    nexios_server: Callable[..., Any], write_module: Callable[..., Path], bounded: bool
) -> None:
    import subprocess
    import time

    import httpx

    write_module("ws_app", APP)
    server = nexios_server(["run", "ws_app:app", *(["--timeout-graceful-shutdown", "2"] if bounded else [])])
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as client, anyio.create_task_group() as tasks:
        finished: dict[str, Any] = {}

        async def slow() -> None:
            finished["slow"] = await client.get("/slow")

        async def stream() -> None:
            async with client.stream("GET", "/events") as answer:
                chunks = 0
                try:
                    async for _ in answer.aiter_raw():
                        chunks += 1
                except httpx.HTTPError:
                    pass  # the server cut the stream
            finished["stream"] = chunks

        tasks.start_soon(slow)
        tasks.start_soon(stream)
        await anyio.sleep(0.5)
        os.killpg(server.process.pid, signal.SIGTERM)
        started = time.monotonic()
        if not bounded:
            # Without a bound the server waits for the endless stream: still running well past
            # the slow request's end, until it is killed.
            with pytest.raises(subprocess.TimeoutExpired):
                await anyio.to_thread.run_sync(server.process.wait, 4)
            assert finished["slow"].json() == {"slow": "done"}
            os.killpg(server.process.pid, signal.SIGKILL)
        exit_code = await anyio.to_thread.run_sync(server.process.wait, 15)
        elapsed = time.monotonic() - started
    assert finished["slow"].status_code == 200 and finished["slow"].json() == {"slow": "done"}
    assert finished["stream"] > 0
    if bounded:
        assert 1.5 <= elapsed < 6, server.output()  # the slow request finished; the stream was cut at 2 s
        assert exit_code in (0, -signal.SIGTERM), server.output()
        assert "timeout graceful shutdown exceeded" in server.output()
