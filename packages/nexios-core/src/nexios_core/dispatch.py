"""The seam between the core app and whatever finds handlers (the router, or a single handler).

The core never imports a router. At start-up the app hands its dispatcher a read-only
:class:`AppView` (the settings a dispatcher compiles against: function middleware, limits, error
handling...); per request it asks :meth:`Dispatcher.lookup` for the endpoint that answers, awaits
it, and sends what it returns. ``nexios_routing.Router`` implements the protocol;
:class:`HandlerDispatcher` adapts plain functions, so a core-only app needs nothing else.

What a dispatcher promises:

- ``prepare(app)`` compiles everything that can be compiled (routes, endpoints, the app's
  function middleware around them). It is called at start-up and again after the app changed
  (middleware added); calling it twice for the same state is cheap.
- ``lookup(scope)`` is synchronous and always returns an endpoint: the route's, or one that
  answers a request matching no route (404, 405, a redirect, a mounted app). It may write the
  path values into ``scope["path_params"]``. The endpoint is ``await endpoint(request, response)``
  and returns anything a handler may return; the app turns that into the response.
- The app's function middleware is the dispatcher's to run (the view lists it): it runs around
  every endpoint ``lookup`` returns, misses included, with errors below it turned into responses
  by :meth:`AppView.error_response` so that middleware sees a 404 like any other answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .exceptions import NotFoundException
from .limits import Limits
from .middleware.chain import Endpoint, MiddlewareFunction, compose, responding
from .request import Request
from .responses import BaseResponse, Response
from .types import Receive, Scope, Send

if TYPE_CHECKING:
    import anyio

    from .errors import ExceptionHandlers
    from .websocket_middleware import WebSocketMiddlewareFunction

HTTPHandler = Callable[[Request, Response], Awaitable[Any]]
"""``await endpoint(request, response)``: returns anything a handler may return."""
Lookup = Callable[[Scope], HTTPHandler]
"""A dispatcher's ``lookup``."""
WebSocketHandler = Callable[[Any], Awaitable[None]]


@runtime_checkable
class AppView(Protocol):
    """What a dispatcher may read of the app it serves. Read-only: a dispatcher never changes
    the app. ``nexios_core.App`` is one."""

    @property
    def config(self) -> Mapping[str, Any]:
        """The app's configuration."""
        ...

    @property
    def debug(self) -> bool:
        """Whether error pages show details."""
        ...

    @property
    def limits(self) -> Limits | None:
        """The app's request limits (``None``: the defaults)."""
        ...

    @property
    def http_middleware(self) -> Sequence[MiddlewareFunction]:
        """The app's function/class middleware, outermost first, set up (``setup(app)`` ran)."""
        ...

    @property
    def exception_handlers(self) -> ExceptionHandlers:
        """The app's exception handlers (read them with ``find`` and ``handles``)."""
        ...

    @property
    def websocket_allowed_origins(self) -> Sequence[str] | None:
        """The default WebSocket origin policy (``None``: same origin)."""
        ...

    @property
    def websocket_middleware(self) -> Sequence[WebSocketMiddlewareFunction]:
        """What runs around every WebSocket route's handler, outermost first (see
        :mod:`nexios_core.websocket_middleware`)."""
        ...

    @property
    def thread_limiter(self) -> anyio.CapacityLimiter:
        """Bounds how many plain ``def`` handlers run at once in worker threads."""
        ...

    @property
    def generation(self) -> int:
        """Changes whenever something a compiled dispatcher depends on changes."""
        ...

    async def error_response(self, request: Request, response: Response, exc: Exception) -> BaseResponse:
        """The answer to ``exc`` raised below the app's middleware: its handler's response, or
        the default for an ``HTTPException``. Raises ``exc`` again when nothing handles it (the
        app then logs it and answers 500)."""
        ...


@runtime_checkable
class Dispatcher(Protocol):
    """Finds the endpoint for each request (see the module docstring for the promises)."""

    def prepare(self, app: AppView | None = None) -> None:
        """Compile for ``app`` (``None``: stand-alone, no app middleware)."""
        ...

    def lookup(self, scope: Scope) -> HTTPHandler:
        """The endpoint answering this HTTP request (never ``None``)."""
        ...

    async def dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a WebSocket connection."""
        ...


def around_app_middleware(endpoint: HTTPHandler, app: AppView | None) -> HTTPHandler:
    """``endpoint`` with the app's function middleware around it, errors below the middleware
    turned into responses (what every dispatcher does with the endpoints it returns)."""
    if app is None or not app.http_middleware:
        return endpoint
    return compose(app.http_middleware, _answering_errors(endpoint, app), endpoint_records=True)


def _answering_errors(endpoint: HTTPHandler, app: AppView) -> Endpoint:
    produce = responding(endpoint)
    error_response = app.error_response

    async def answering(request: Request, response: Response, *_: Any) -> BaseResponse:
        try:
            return await produce(request, response)
        except Exception as exc:
            answer = await error_response(request, response, exc)
            # Recorded as `responding` records results: a middleware that returns None after
            # `await call_next()` passes this answer on.
            response.produced = None if answer is response else answer
            return answer

    return answering


class HandlerDispatcher:
    """A dispatcher for one HTTP handler ``(request, response)`` and optionally one WebSocket
    handler ``(websocket)``: the whole app of a core-only service."""

    def __init__(self, http: HTTPHandler | None = None, websocket: WebSocketHandler | None = None) -> None:
        if http is not None and not inspect.iscoroutinefunction(http):
            raise TypeError("The HTTP handler must be an async function (request, response)")
        self.http = http
        self.websocket = websocket
        self._endpoint: HTTPHandler = self._not_found if http is None else http
        self._websocket_endpoint: WebSocketHandler | None = websocket

    def prepare(self, app: AppView | None = None) -> None:
        """Put the app's middleware around the handler (and its WebSocket middleware around the
        WebSocket handler)."""
        self._endpoint = around_app_middleware(self.http or self._not_found, app)
        self._websocket_endpoint = self.websocket
        if self.websocket is not None and app is not None and app.websocket_middleware:
            from .websocket_middleware import compose_websocket

            self._websocket_endpoint = compose_websocket(app.websocket_middleware, self.websocket)

    def lookup(self, scope: Scope) -> HTTPHandler:
        """The handler (every path), or a 404 without one."""
        return self._endpoint

    @staticmethod
    async def _not_found(request: Request, response: Response) -> Any:
        raise NotFoundException()

    async def dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the WebSocket handler; refuse the handshake without one."""
        endpoint = self._websocket_endpoint
        if endpoint is None:
            await send({"type": "websocket.close", "code": 1000})
            return
        from .websocket import WebSocket

        await endpoint(WebSocket(scope, receive, send))


__all__ = [
    "AppView",
    "Dispatcher",
    "HTTPHandler",
    "HandlerDispatcher",
    "Lookup",
    "WebSocketHandler",
    "around_app_middleware",
]
