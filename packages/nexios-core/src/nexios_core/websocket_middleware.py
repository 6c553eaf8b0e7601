"""Middleware for WebSocket connections: the same cross-cutting layers HTTP requests get.

A WebSocket middleware is ``async def mw(websocket, call_next)``: it runs before the handler,
``await call_next()`` runs the rest (the handler, for as long as the connection lasts), and code
after it runs once the handler has returned. Not calling ``call_next`` refuses the connection
(closing it, or returning before ``accept``: the server then answers the handshake with 403).
Raising an ``HTTPException`` before the connection is accepted closes it with 1008.

Where they come from, outermost first, for each WebSocket route:

1. HTTP middleware added with ``app.add_middleware`` that also serves WebSockets: it has a
   ``handle_websocket(websocket, call_next)`` method (``SessionMiddleware`` and
   ``AuthenticationMiddleware`` do, so ``websocket.session`` and ``websocket.user`` work);
2. functions added with ``app.add_ws_middleware(mw)``;
3. the route's own ``middleware=[...]`` (and those of the routers above it that serve
   WebSockets).

The chain is composed once per route when the router compiles: a route without middleware pays
nothing. ``app.add_ws_middleware`` also takes upstream Nexios' ASGI form, a callable
``f(asgi_app) -> asgi_app`` that wraps the whole WebSocket dispatch (its ``scope``, ``receive``,
``send``); those run outside everything listed above.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol, runtime_checkable

from .concurrency import is_async_callable
from .websocket import WebSocket

WebSocketCallNext = Callable[[], Awaitable[None]]
WebSocketEndpoint = Callable[[WebSocket], Awaitable[None]]
"""What a chain wraps and what it becomes: ``await endpoint(websocket)`` serves the connection."""
WebSocketMiddlewareFunction = Callable[[WebSocket, WebSocketCallNext], Awaitable[None]]
"""``async def mw(websocket, call_next)``."""


@runtime_checkable
class WebSocketAwareMiddleware(Protocol):
    """An HTTP middleware that also serves WebSocket connections (sessions, authentication)."""

    async def handle_websocket(self, websocket: WebSocket, call_next: WebSocketCallNext) -> None:
        """Do for a WebSocket connection what ``__call__`` does for a request, around
        ``await call_next()``."""
        ...


def is_websocket_middleware(candidate: Any, *, require_async: bool = True) -> bool:
    """Whether ``candidate`` is a function-style WebSocket middleware ``(websocket, call_next)``
    (as opposed to upstream's ASGI form ``f(asgi_app) -> asgi_app``); ``require_async=False``
    also answers True for a plain ``def`` of that shape (a mistake to report)."""
    if isinstance(candidate, type) or (require_async and not is_async_callable(candidate)):
        return False
    try:
        parameters = inspect.signature(candidate).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not is_async_callable(candidate):  # a factory `f(app, option=None)` is not this mistake
        positional = [p for p in positional if p.default is p.empty]
    return len(positional) == 2


def websocket_handler_of(middleware: Any) -> WebSocketMiddlewareFunction | None:
    """The ``handle_websocket`` of an HTTP middleware that serves WebSockets too, else ``None``."""
    handler = getattr(middleware, "handle_websocket", None)
    return handler if callable(handler) else None


def websocket_middleware_in(middleware: Sequence[Any]) -> list[WebSocketMiddlewareFunction]:
    """The WebSocket side of a list of route or router middleware: the function-style WebSocket
    middleware in it, and the ``handle_websocket`` of HTTP middleware that has one; HTTP-only
    middleware is left out."""
    found: list[WebSocketMiddlewareFunction] = []
    for item in middleware:
        handler = websocket_handler_of(item)
        if handler is not None:
            found.append(handler)
        elif is_websocket_middleware(item):
            found.append(item)
    return found


def compose_websocket(middleware: Sequence[WebSocketMiddlewareFunction],
                      endpoint: WebSocketEndpoint) -> WebSocketEndpoint:
    """Wrap ``endpoint`` so that ``middleware[0]`` runs first. Done once per route."""
    handler = endpoint
    for item in reversed(middleware):
        handler = _link(item, handler)
    return handler


def _link(middleware: WebSocketMiddlewareFunction, inner: WebSocketEndpoint) -> WebSocketEndpoint:
    async def run(websocket: WebSocket) -> None:
        await middleware(websocket, partial(inner, websocket))

    run.__qualname__ = f"websocket_middleware<{getattr(middleware, '__qualname__', type(middleware).__name__)}>"
    return run


__all__ = [
    "WebSocketAwareMiddleware",
    "WebSocketCallNext",
    "WebSocketEndpoint",
    "WebSocketMiddlewareFunction",
    "compose_websocket",
    "is_websocket_middleware",
    "websocket_handler_of",
    "websocket_middleware_in",
]
