"""The app the graceful-shutdown tests serve from a child uvicorn process.

Everything it does is appended, one event per line, to the file named by the
``NEXIOS_PRESSURE_LOG`` environment variable, so that the test (another process) can tell what ran
and in which order: a slow request, a WebSocket with a generator dependency, a shutdown hook.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import anyio

from nexios import Depend, get_application
from nexios_core.exceptions import WebSocketDisconnect
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.websocket import WebSocket

LOG_ENVIRONMENT_VARIABLE = "NEXIOS_PRESSURE_LOG"
SLOW_SECONDS = 1.5


def record(event: str) -> None:
    """Append ``event`` to the shared log (opened per write: the test reads it concurrently)."""
    with open(os.environ[LOG_ENVIRONMENT_VARIABLE], "a", encoding="utf-8") as log:
        log.write(event + "\n")


app = get_application()


@app.on_shutdown
async def shutdown_hook() -> None:
    record(f"shutdown-hook open-websockets={len(app.open_websockets)}")


@app.get("/slow")
async def slow(request: Request, response: Response) -> Any:
    record("slow-started")
    await anyio.sleep(SLOW_SECONDS)
    record("slow-finished")
    return {"slow": "done"}


async def stream_resource() -> AsyncIterator[str]:
    record("stream-resource-open")
    try:
        yield "resource"
    finally:
        await anyio.sleep(0)  # cleanup that awaits must still complete after a cancellation
        record("stream-resource-closed")


@app.get("/forever")
async def forever(request: Request, response: Response, resource: str = Depend(stream_resource)) -> Any:
    async def ticks() -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"tick\n"
                await anyio.sleep(0.05)
        finally:
            record("stream-stopped")

    return response.stream(ticks())


async def connection_resource(websocket: WebSocket) -> AsyncIterator[str]:
    record("ws-resource-open")
    try:
        yield "resource"
    finally:
        record("ws-resource-closed")


@app.websocket("/ws")
async def echo(websocket: WebSocket, resource: str = Depend(connection_resource)) -> None:
    await websocket.accept()
    record("ws-accepted")
    try:
        while True:
            await websocket.send_text(f"{resource}:{await websocket.receive_text()}")
    except WebSocketDisconnect as exc:
        record(f"ws-disconnect code={exc.code}")
        raise
