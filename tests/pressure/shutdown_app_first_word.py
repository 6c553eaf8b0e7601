"""The graceful-shutdown app under a uvicorn that lets the app close its WebSockets first.

Plain uvicorn closes every open WebSocket itself (code 1012, "service restart") as soon as it
starts shutting down, before the ASGI lifespan shutdown reaches the app. A server that calls
``app.close_websockets()`` before that (what a ``uvicorn.Server`` subclass overriding
``shutdown`` does; done here by wrapping the method in the child process that imports this module)
gives clients 1001, "going away".
"""

from __future__ import annotations

import functools
from typing import Any

from uvicorn.server import Server

from tests.pressure.shutdown_app import app

__all__ = ["app"]

_plain_shutdown = Server.shutdown


@functools.wraps(_plain_shutdown)
async def _shutdown_app_first(self: Server, sockets: Any = None) -> None:
    await app.close_websockets()
    await _plain_shutdown(self, sockets)


Server.shutdown = _shutdown_app_first  # type: ignore[method-assign]
