"""The seam between the core app and whatever finds handlers (the router, or a single handler).

The core never imports a router: it calls any object implementing :class:`Dispatcher`.
``nexios_routing.Router`` implements it; :class:`HandlerDispatcher` adapts plain functions so a
core-only app needs nothing else.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from .exceptions import NotFoundException
from .middleware.chain import to_response
from .request import Request
from .responses import BaseResponse, Response
from .types import Receive, Scope, Send


@runtime_checkable
class Dispatcher(Protocol):
    """Finds and runs the handler for a request.

    A dispatcher may also define ``lookup(scope)``, a synchronous fast path: it returns the
    callable ``endpoint(request, response)`` that answers the request, or ``None`` to leave the
    request to :meth:`dispatch`. The endpoint's result may be anything a handler returns (the
    app turns it into a response). ``nexios_routing.Router`` defines it; the app uses it when no
    function middleware is installed.
    """

    async def dispatch(self, request: Request, response: Response) -> BaseResponse:
        """Answer an HTTP request (raise ``HTTPException`` for 404/405...)."""
        ...

    async def dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a WebSocket connection."""
        ...

    def prepare(self) -> None:
        """Compile whatever can be compiled; called once at start-up and after changes."""
        ...


HTTPHandler = Callable[[Request, Response], Awaitable[Any]]
Lookup = Callable[[Scope], HTTPHandler | None]
"""A dispatcher's optional synchronous fast path (see :class:`Dispatcher`)."""
WebSocketHandler = Callable[[Any], Awaitable[None]]


class HandlerDispatcher:
    """A dispatcher for one HTTP handler ``(request, response)`` and optionally one WebSocket
    handler ``(websocket)``: the whole app of a core-only service."""

    def __init__(self, http: HTTPHandler | None = None, websocket: WebSocketHandler | None = None) -> None:
        if http is not None and not inspect.iscoroutinefunction(http):
            raise TypeError("The HTTP handler must be an async function (request, response)")
        self.http = http
        self.websocket = websocket

    async def dispatch(self, request: Request, response: Response) -> BaseResponse:
        if self.http is None:
            raise NotFoundException()
        return to_response(await self.http(request, response), response)

    async def dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.websocket is None:
            await send({"type": "websocket.close", "code": 1000})
            return
        from .websocket import WebSocket

        await self.websocket(WebSocket(scope, receive, send))

    def prepare(self) -> None:
        return None


__all__ = ["Dispatcher", "HTTPHandler", "HandlerDispatcher", "Lookup", "WebSocketHandler"]
