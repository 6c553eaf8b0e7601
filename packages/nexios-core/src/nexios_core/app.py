"""The core ASGI application: lifespan, middleware, errors, and a dispatcher to find handlers.

The request path is assembled once (at start-up, or on the first request when the server skips
lifespan): raw ASGI middleware wraps the HTTP entry point, which runs the composed chain of
function/class middleware around the dispatcher. Adding middleware or routes later marks the app
for a rebuild rather than adding per-request checks.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from .channels import ChannelLayer, InMemoryChannelLayer
from .config import MakeConfig, set_config
from .current_app import register_entry_point, set_current_app
from .datastructures import State
from .dispatch import Dispatcher, HandlerDispatcher, Lookup
from .errors import (
    ExceptionHandler,
    ExceptionHandlers,
    ExceptionKey,
    call_exception_handler,
    http_exception_response,
    log_server_error,
    server_error_response,
)
from .exceptions import (
    ClientDisconnect,
    HTTPException,
    ImproperlyConfigured,
    WebSocketDisconnect,
    WebSocketException,
)
from .interfaces import Plugin
from .limits import LIMITS_SCOPE_KEY, Limits
from .middleware.asgi import Middleware
from .middleware.base import BaseMiddleware
from .middleware.chain import Endpoint, MiddlewareFunction, compose, is_http_middleware, to_response
from .request import Request
from .responses import BaseResponse, Response
from .types import ASGIApp, Message, Receive, Scope, Send
from .websocket import OPEN_WEBSOCKETS_SCOPE_KEY
from .websocket_tracking import OpenWebSockets

logger = logging.getLogger("nexios")

SHUTDOWN_REQUEST_GRACE = 10.0
"""Seconds the lifespan shutdown waits for HTTP requests still running before the shutdown hooks."""
_BELOW_MIDDLEWARE = "nexios.below_asgi_middleware"
"""Scope key set by the innermost layer under raw ASGI middleware: the app it names serves the
HTTP request at once when called with that scope (see ``App.__call__``)."""

Hook = Callable[[], Awaitable[None] | None]
Lifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]
_F = TypeVar("_F", bound=Callable[..., Any])
_P = TypeVar("_P", bound=Plugin)


async def _call_hook(hook: Hook) -> None:
    if inspect.iscoroutinefunction(hook):
        await hook()
    else:
        result = await anyio.to_thread.run_sync(hook)
        if inspect.isawaitable(result):
            await result


class App:
    """An ASGI 3 application.

    ``dispatcher`` finds handlers (a router); ``middlewares`` are function/class-style middleware
    ``(request, response, call_next)`` or raw ASGI middleware (``Middleware(cls, **options)``, or a
    class taking the app as its first argument). Raw ASGI middleware always wraps the function
    middleware chain, each kind keeping its order. ``debug`` (default False) controls error pages.
    ``limits`` replaces the default request limits; ``websocket_allowed_origins`` is the
    WebSocket origin policy (``None``: same origin or no ``Origin`` header; ``["*"]``: any).
    ``channel_layer`` carries WebSocket group messages (default: in this process; a
    ``RedisChannelLayer`` reaches the connections of every worker).
    """

    def __init__(
        self,
        config: MakeConfig | Mapping[str, Any] | None = None,
        *,
        dispatcher: Dispatcher | None = None,
        debug: bool | None = None,
        middlewares: Sequence[Any] = (),
        exception_handlers: Mapping[ExceptionKey, ExceptionHandler] | None = None,
        on_startup: Sequence[Hook] = (),
        on_shutdown: Sequence[Hook] = (),
        lifespan: Lifespan | None = None,
        limits: Limits | None = None,
        websocket_allowed_origins: Sequence[str] | None = None,
        channel_layer: ChannelLayer | None = None,
    ) -> None:
        self.config: MakeConfig = set_config(config if config is not None else MakeConfig())
        if debug is not None:
            self.config.debug = debug
        self.dispatcher: Dispatcher = dispatcher if dispatcher is not None else HandlerDispatcher()
        self.state = State()
        self.limits = limits
        # WebSocket origin policy read by dispatchers: None means same-origin (or no Origin).
        self.websocket_allowed_origins = (
            list(websocket_allowed_origins) if websocket_allowed_origins is not None else None
        )
        self.exception_handlers = ExceptionHandlers(exception_handlers)
        self.channel_layer: ChannelLayer = channel_layer if channel_layer is not None else InMemoryChannelLayer()
        """WebSocket groups of this app (``ChannelBox`` and consumers use it)."""
        self.startup_hooks: list[Hook] = list(on_startup)
        self.shutdown_hooks: list[Hook] = list(on_shutdown)
        self.lifespan_context = lifespan
        self.open_websockets = OpenWebSockets()
        """Accepted WebSocket connections still open; closed with 1001 at shutdown."""
        self.requests_in_flight = 0
        """HTTP requests being handled (cleanup included); shutdown waits for them."""
        self._http_middleware: list[MiddlewareFunction] = []
        self._asgi_middleware: list[Middleware] = []
        self._plugins: dict[str, Plugin] = {}
        for middleware in middlewares:
            self.add_middleware(middleware)
        self._asgi: ASGIApp | None = None
        self._chain: Endpoint | None = None
        self._lookup: Lookup | None = None
        self._direct_http = False

    # ---------------------------------------------------------------- configuration
    @property
    def debug(self) -> bool:
        """Whether error pages show tracebacks (never in production)."""
        return bool(self.config.get("debug", False))

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config.debug = value

    def add_middleware(self, middleware: Any, *args: Any, **options: Any) -> None:
        """Add a middleware: a function ``(request, response, call_next)``, a ``BaseMiddleware``
        instance or subclass, a ``Middleware(cls, ...)`` spec, or an ASGI middleware class with
        its options (``app.add_middleware(CORSMiddleware, allow_origins=[...])``)."""
        if isinstance(middleware, type) and issubclass(middleware, BaseMiddleware):
            middleware = middleware(*args, **options)
        if is_http_middleware(middleware):
            if args or options:
                raise TypeError("Options are only accepted with an ASGI middleware class")
            self._http_middleware.append(middleware)
        elif not isinstance(middleware, type) and all(
            hasattr(middleware, name) for name in ("cls", "args", "kwargs")
        ):
            spec = middleware if isinstance(middleware, Middleware) else Middleware(
                middleware.cls, *middleware.args, **middleware.kwargs
            )
            self._asgi_middleware.append(spec)
        elif callable(middleware):
            self._asgi_middleware.append(Middleware(middleware, *args, **options))
        else:
            raise ImproperlyConfigured(f"{middleware!r} is not a middleware")
        self._asgi = None  # rebuilt on the next request (or at start-up)
        self._direct_http = False

    def middleware(self, func: _F) -> _F:
        """Decorator form of :meth:`add_middleware` for ``async def mw(request, response, call_next)``."""
        self.add_middleware(func)
        return func

    @property
    def http_middleware(self) -> tuple[Any, ...]:
        """The function/class-style middleware, outermost first (a read-only view, for plugins
        that describe the app: the OpenAPI document finds the auth backends in use here)."""
        return tuple(self._http_middleware)

    def add_exception_handler(self, key: ExceptionKey, handler: ExceptionHandler) -> None:
        """Handle an exception class or status code with ``handler(request, response, exc)``."""
        self.exception_handlers.add(key, handler)

    def exception_handler(self, key: ExceptionKey) -> Callable[[_F], _F]:
        """Decorator form of :meth:`add_exception_handler`."""

        def register(func: _F) -> _F:
            self.add_exception_handler(key, func)
            return func

        return register

    def on_startup(self, hook: _F) -> _F:
        """Run ``hook`` (sync or async) at start-up; usable as a decorator."""
        self.startup_hooks.append(hook)
        return hook

    def on_shutdown(self, hook: _F) -> _F:
        """Run ``hook`` (sync or async) at shutdown; usable as a decorator."""
        self.shutdown_hooks.append(hook)
        return hook

    # ---------------------------------------------------------------- plugins
    @property
    def plugins(self) -> Mapping[str, Plugin]:
        """The installed plugins by name, in the order they were installed (read-only)."""
        return MappingProxyType(self._plugins)

    def install(self, plugin: _P) -> _P:
        """Install ``plugin`` (a :class:`~nexios_core.interfaces.Plugin`): its ``setup(app)``
        runs now. A second plugin with the same ``name`` is refused. Returns the plugin."""
        from .plugins import PluginError, check_plugin  # importlib.metadata only for apps with plugins

        name = check_plugin(plugin).name
        installed = self._plugins.get(name)
        if installed is not None:
            raise PluginError(
                f"A plugin named {name!r} is already installed in this app ({installed!r}): install "
                "each plugin once, or give one of them another name"
            )
        self._plugins[name] = plugin  # first, so that a setup installing the same name again fails
        try:
            plugin.setup(self)
        except BaseException:
            del self._plugins[name]
            raise
        return plugin

    def install_entry_point_plugins(self, only: Iterable[str] | None = None, *,
                                    exclude: Iterable[str] = ()) -> list[Plugin]:
        """Install the plugins that installed distributions register under the ``nexios.plugins``
        entry-point group (opt-in: nothing is discovered unless this is called). ``only`` names
        the plugins wanted, in install order; otherwise all of them, by name. Returns them.
        A plugin that fails to load or set up raises ``PluginError`` naming its distribution."""
        from .plugins import install_discovered

        return install_discovered(self, only, exclude)

    # ---------------------------------------------------------------- assembling the stack
    def build(self) -> None:
        """Assemble the request path. Called at start-up; harmless to call again."""
        self.dispatcher.prepare()
        for middleware in self._http_middleware:
            # Middleware that needs the app's config (a secret key, say) checks it here, at
            # start-up, instead of failing on the first request.
            setup = getattr(middleware, "setup", None)
            if callable(setup):
                setup(self)
        # Without function middleware the dispatcher is the whole chain; `_http` turns its
        # errors into responses exactly as `_endpoint` would.
        self._chain = (
            compose(self._http_middleware, self._endpoint)
            if self._http_middleware
            else self.dispatcher.dispatch
        )
        # A dispatcher may also offer a synchronous `lookup(scope)` (see `Dispatcher`): without
        # function middleware, the app then awaits the endpoint it finds itself.
        lookup = getattr(self.dispatcher, "lookup", None)
        self._lookup = lookup if callable(lookup) and not self._http_middleware else None
        app: ASGIApp = self._entry
        for spec in reversed(self._asgi_middleware):
            app = spec.build(app, self)
        self._direct_http = not self._asgi_middleware
        self._asgi = app

    async def _endpoint(self, request: Request, response: Response) -> BaseResponse:
        # Errors are turned into responses here, inside the middleware chain, so middleware
        # sees (and can decorate) a 404 or a handled error like any other response.
        try:
            return await self.dispatcher.dispatch(request, response)
        except HTTPException as exc:
            return await self._handle_http_exception(request, response, exc)
        except ClientDisconnect:
            raise  # the client left: nothing to answer, and no error for a catch-all handler
        except Exception as exc:
            handler = self.exception_handlers.find(exc)
            if handler is None or handler is self.exception_handlers.server_error_handler:
                # The catch-all (Exception / 500) handler runs where unhandled errors are
                # logged with their request id, with or without middleware in between.
                raise
            return await call_exception_handler(handler, request, response, exc)

    async def _handle_http_exception(
        self, request: Request, response: Response, exc: HTTPException
    ) -> BaseResponse:
        handler = self.exception_handlers.find(exc)
        if handler is not None:
            return await call_exception_handler(handler, request, response, exc)
        return http_exception_response(exc)

    async def _answer_error(self, request: Request, response: Response, exc: Exception) -> BaseResponse:
        try:
            if isinstance(exc, HTTPException):
                return await self._handle_http_exception(request, response, exc)
            handler = self.exception_handlers.find(exc)
            if handler is not None and handler is not self.exception_handlers.server_error_handler:
                return await call_exception_handler(handler, request, response, exc)
        except HTTPException as handler_exc:  # a handler may answer by raising
            return http_exception_response(handler_exc)
        except Exception as handler_exc:
            # A broken exception handler must not escape the app (no request id, no log of
            # ours, an empty answer): its error becomes the 500.
            exc = handler_exc
        return await self._server_error(request, exc)

    async def _server_error(self, request: Request, exc: BaseException) -> BaseResponse:
        log_server_error(request, exc)
        handler = self.exception_handlers.server_error_handler
        if handler is not None:
            try:
                return await call_exception_handler(handler, request, Response(), exc)
            except Exception as handler_exc:  # a broken error handler must not hide the error
                log_server_error(request, handler_exc)
        return server_error_response(request, exc, self.debug)

    async def _entry(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            scope[_BELOW_MIDDLEWARE] = self  # `__call__` serves it (see there)
            await self(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The outermost app tracks the connection (a mounted app sees the key already there),
        # and forgets it when the connection is over, however the handler ended.
        tracker = None
        if OPEN_WEBSOCKETS_SCOPE_KEY not in scope:
            tracker = scope[OPEN_WEBSOCKETS_SCOPE_KEY] = self.open_websockets.tracker()
        try:
            await self._serve_websocket(scope, receive, send)
        finally:
            if tracker is not None:
                tracker.release()

    async def _serve_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A handler that loops until the peer leaves ends with WebSocketDisconnect: that is a
        # normal end, not an error. Anything else is logged once and the socket closed with 1011.
        closed = False

        async def tracking_send(message: Message) -> None:
            nonlocal closed
            if message["type"] in ("websocket.close", "websocket.http.response.start"):
                closed = True
            await send(message)

        if self.limits is not None and LIMITS_SCOPE_KEY not in scope:
            scope[LIMITS_SCOPE_KEY] = self.limits
        try:
            await self.dispatcher.dispatch_websocket(scope, receive, tracking_send)
        except WebSocketDisconnect:
            return
        except WebSocketException as exc:  # a deliberate close, not a server error
            if not closed:
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": exc.code, "reason": exc.reason})
        except HTTPException as exc:  # e.g. a permission check: refuse, don't log a crash
            if not closed:
                reason = str(exc.detail)[:123]  # a close reason must fit in 123 bytes
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": 1008,
                                "reason": reason.encode("utf-8")[:123].decode("utf-8", "ignore")})
        except Exception as exc:
            log_server_error(Request(scope, receive, send), exc)
            if not closed:
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": 1011})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        # HTTP is served right here, not in a method of its own: one coroutine frame fewer on
        # every request. Below raw ASGI middleware, `_entry` marks the scope to come back here.
        if scope["type"] == "http" and (self._direct_http or scope.get(_BELOW_MIDDLEWARE) is self):
            if self.limits is not None and LIMITS_SCOPE_KEY not in scope:
                scope[LIMITS_SCOPE_KEY] = self.limits
            request = Request(scope, receive, send)
            response = Response()
            self.requests_in_flight += 1  # shutdown waits for this to reach 0 (see _drain_requests)
            try:
                try:
                    lookup = self._lookup
                    endpoint = lookup(scope) if lookup is not None else None
                    if endpoint is not None:
                        result = await endpoint(request, response)
                        outgoing = result if result is response else to_response(result, response)
                    else:
                        outgoing = await self._chain(request, response)  # type: ignore[misc]
                except ClientDisconnect:
                    return  # nobody is listening for an answer
                except Exception as exc:  # raised by middleware, or by an exception handler
                    outgoing = await self._answer_error(request, response, exc)
                try:
                    if outgoing is response and response._delegate is None and response.background is None:
                        # What `Response.__call__` does for a plain body, without its frame.
                        start, body = response.own_messages(scope)
                        await send(start)
                        await send(body)
                    else:
                        await outgoing(scope, receive, send)
                finally:
                    # `request.needs_close`, inlined (it runs for every request).
                    if request._form is not None or request._cleanups is not None:
                        await request.close()
            finally:
                self.requests_in_flight -= 1
            return
        asgi = self._asgi
        if asgi is None:
            try:
                self.build()
            except Exception as exc:
                if scope["type"] != "lifespan":
                    raise
                # A configuration mistake found while assembling the app (a middleware's
                # setup, a route that cannot bind) must stop the server from starting.
                await receive()
                logger.exception("Application start-up failed")
                await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
                return
            if self._direct_http and scope["type"] == "http":
                await self(scope, receive, send)  # built: take the direct path above
                return
            asgi = self._asgi
        await asgi(scope, receive, send)  # type: ignore[misc]

    # ---------------------------------------------------------------- lifespan
    @contextlib.asynccontextmanager
    async def run_lifespan(self) -> AsyncIterator[None]:
        """Start-up, then shutdown when the block exits (what servers drive through ASGI
        lifespan; the test client uses it directly)."""
        self.build()
        set_current_app(self)  # start-up hooks, and the tasks they start, see this app
        await self.channel_layer.start()
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(self.channel_layer.aclose)  # after the shutdown hooks
            for hook in self.startup_hooks:
                await _call_hook(hook)
            if self.lifespan_context is not None:
                state = await stack.enter_async_context(self.lifespan_context(self))
                if isinstance(state, Mapping):
                    for key, value in state.items():
                        setattr(self.state, key, value)
            try:
                yield
            finally:
                # Requests finish their cleanup, and clients get a proper close (1001, going
                # away), before the hooks release what handlers may still be using.
                await self._drain_requests()
                await self.close_websockets()
                for hook in self.shutdown_hooks:
                    await _call_hook(hook)

    async def _drain_requests(self, timeout: float = SHUTDOWN_REQUEST_GRACE) -> None:
        # uvicorn waits for requests before the lifespan shutdown, but once its own grace period
        # (--timeout-graceful-shutdown) is over it cancels them and shuts down at once: their
        # dependency cleanup would then race the shutdown hooks, or never run.
        with anyio.move_on_after(timeout):
            while self.requests_in_flight:
                await anyio.sleep(0.01)

    async def close_websockets(self, code: int = 1001, reason: str = "Server shutting down") -> int:
        """Close every accepted WebSocket that is still open (done at shutdown, before the
        shutdown hooks); returns how many were closed. A server that closes connections itself
        before the ASGI lifespan shutdown (uvicorn sends 1012) can call this first to send 1001."""
        return await self.open_websockets.close_all(code, reason)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":
            return
        manager = self.run_lifespan()
        try:
            await manager.__aenter__()
        except BaseException as exc:
            logger.exception("Application start-up failed")
            await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
            if not isinstance(exc, Exception):
                raise
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()  # waits for lifespan.shutdown
        try:
            await manager.__aexit__(None, None, None)
        except BaseException as exc:
            logger.exception("Application shutdown failed")
            await send({"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"})
            if not isinstance(exc, Exception):
                raise
            return
        await send({"type": "lifespan.shutdown.complete"})


register_entry_point(App.__call__)  # `current_app()` finds the app on the stack by this frame

__all__ = ["App", "Hook", "Lifespan"]
