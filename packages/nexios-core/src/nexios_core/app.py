"""The core ASGI application: lifespan, middleware, errors, and a dispatcher to find handlers.

The request path is assembled once (at start-up, or on the first request when the server skips
lifespan). The dispatcher compiles every endpoint with the app's function middleware around it
(see :mod:`nexios_core.dispatch`), so serving an HTTP request is: look the endpoint up, await
it, send what it produced. Raw ASGI middleware wraps all of that. Adding middleware later marks
the app for a rebuild rather than adding per-request checks.

Configuration, state, limits and handlers belong to the app: two apps in one process never see
each other's.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread

from .channels import ChannelLayer, InMemoryChannelLayer
from .config import MakeConfig
from .connection import HTTPConnection
from .current_app import register_entry_point, set_current_app
from .datastructures import State
from .dispatch import Dispatcher, HandlerDispatcher
from .errors import (
    ExceptionHandler,
    ExceptionHandlers,
    ExceptionKey,
    call_exception_handler,
    http_exception_response,
    log_server_error,
    server_error_response,
)
from .events import AsyncEventEmitter
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
from .middleware.chain import MiddlewareFunction, is_http_middleware, to_response
from .request import Request
from .request_ids import (
    REQUEST_ID_HEADER,
    REQUEST_ID_SCOPE_KEY,
    id_header_batch,
    refill_id_pool,
    request_id_header,
)
from .request_log import echoing_request_id, observe_requests
from .responses import BaseResponse, Response
from .types import ASGIApp, Message, Receive, Scope, Send
from .websocket import OPEN_WEBSOCKETS_SCOPE_KEY, close_reason
from .websocket_middleware import WebSocketMiddlewareFunction, is_websocket_middleware, websocket_handler_of
from .websocket_tracking import OpenWebSockets

logger = logging.getLogger("nexios")

SHUTDOWN_REQUEST_GRACE = 10.0
"""Seconds the lifespan shutdown waits for HTTP requests still running before the shutdown hooks."""
SHUTDOWN_EVENTS_GRACE = 5.0
"""Seconds the lifespan shutdown waits for event listeners still running in the background."""
DEFAULT_THREAD_POOL_SIZE = 40
"""How many plain ``def`` handlers of one app may run at once in worker threads, by default."""
_SERVED_HERE = "nexios.app.serving"
"""Scope key the innermost layer under raw ASGI middleware sets to the app, meaning "serve this
HTTP request now": ``App.__call__`` then skips the middleware it has already been through."""

Hook = Callable[[], Awaitable[None] | None]
Lifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]
LifespanState = Literal["idle", "starting", "ready", "draining", "stopped"]
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
    ``RedisChannelLayer`` reaches the connections of every worker). ``thread_pool_size`` (default
    40) bounds how many plain ``def`` handlers run at once in worker threads (``app.thread_limiter``).
    ``echo_request_id`` (default True) adds the request's ``X-Request-ID`` to every response.
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
        thread_pool_size: int | None = None,
        echo_request_id: bool = True,
    ) -> None:
        self.config: MakeConfig = config if isinstance(config, MakeConfig) else MakeConfig(config)
        """This app's configuration (``get_config()`` of ``nexios.config`` reads it during a
        request this app handles)."""
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
        self.echo_request_id = echo_request_id
        """Whether every HTTP response carries the request's ``X-Request-ID`` (see
        :mod:`nexios_core.request_ids`); the 500 body and the logs use the id either way."""
        self.lifespan_state: LifespanState = "idle"
        """Where the app is in its lifespan: ``"idle"`` (not started), ``"starting"``,
        ``"ready"`` (start-up finished), ``"draining"`` (shutting down), ``"stopped"``
        (read by health checks: see :mod:`nexios_core.health`)."""
        self.open_websockets = OpenWebSockets()
        """Accepted WebSocket connections still open; closed with 1001 at shutdown."""
        self.requests_in_flight = 0
        """HTTP requests being handled (cleanup included); shutdown waits for them."""
        self.events = AsyncEventEmitter("app")
        """This app's events (``@app.events.on("name")``, ``await app.events.emit("name")``); the
        app emits its own lifecycle here (``nexios_core.events.LIFECYCLE_EVENTS``)."""
        self.templates: Any = None
        """The app's template engine, set by the one installed (``nexios.templating``):
        ``response.render(...)`` renders with it."""
        if thread_pool_size is None:
            thread_pool_size = DEFAULT_THREAD_POOL_SIZE
        if isinstance(thread_pool_size, bool) or not isinstance(thread_pool_size, int) or thread_pool_size < 1:
            raise ImproperlyConfigured(f"thread_pool_size must be a positive int, got {thread_pool_size!r}")
        self.thread_pool_size = thread_pool_size
        self._thread_limiter: anyio.CapacityLimiter | None = None
        self._websocket_functions: list[WebSocketMiddlewareFunction] = []
        self._http_middleware: list[MiddlewareFunction] = []
        self._asgi_middleware: list[Middleware] = []
        self._websocket_middleware: list[Callable[[ASGIApp], ASGIApp]] = []
        self._websocket_app: ASGIApp | None = None
        self._generation = 0
        self._plugins: dict[str, Plugin] = {}
        for middleware in middlewares:
            self.add_middleware(middleware)
        self._asgi: ASGIApp | None = None
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
        self._generation += 1

    def middleware(self, func: _F) -> _F:
        """Decorator form of :meth:`add_middleware` for ``async def mw(request, response, call_next)``."""
        self.add_middleware(func)
        return func

    @property
    def http_middleware(self) -> tuple[Any, ...]:
        """The function/class-style middleware, outermost first (a read-only view: dispatchers
        compile it around their endpoints; the OpenAPI document finds auth backends here)."""
        return tuple(self._http_middleware)

    @property
    def asgi_middleware(self) -> tuple[Middleware, ...]:
        """The raw ASGI middleware specifications, outermost first (a read-only view, for tools
        that describe the app: ``nexios check``)."""
        return tuple(self._asgi_middleware)

    @property
    def websocket_middleware(self) -> tuple[WebSocketMiddlewareFunction, ...]:
        """What runs around every WebSocket route's handler, outermost first: the HTTP middleware
        that also serves WebSockets (its ``handle_websocket``), then the ``add_ws_middleware``
        functions (a read-only view: dispatchers compile it around their WebSocket routes)."""
        serving = (websocket_handler_of(item) for item in self._http_middleware)
        return (*(handler for handler in serving if handler is not None), *self._websocket_functions)

    @property
    def thread_limiter(self) -> anyio.CapacityLimiter:
        """Bounds how many plain ``def`` handlers of this app run at once in worker threads
        (``thread_pool_size`` of them; the others wait). Usable for your own blocking calls:
        ``await anyio.to_thread.run_sync(work, limiter=app.thread_limiter)``."""
        limiter = self._thread_limiter
        if limiter is None:  # made on first use, inside the event loop (anyio < 4.5 needs one)
            limiter = self._thread_limiter = anyio.CapacityLimiter(self.thread_pool_size)
        return limiter

    @property
    def generation(self) -> int:
        """A number that changes whenever the app's middleware or exception handlers change
        (dispatchers compare it to know that their compiled endpoints are out of date)."""
        return self._generation

    def add_ws_middleware(self, middleware: Any) -> None:
        """Add WebSocket middleware (see :mod:`nexios_core.websocket_middleware`):

        - ``async def mw(websocket, call_next)`` runs around the handler of every WebSocket route,
          after the HTTP middleware that also serves WebSockets (sessions, authentication);
        - upstream's form, ``middleware(asgi_app)`` returning an ASGI app, wraps the WebSocket
          side as a whole (the router's WebSocket dispatch), first added outermost.

        HTTP requests never pass through either."""
        if is_websocket_middleware(middleware):
            self._websocket_functions.append(middleware)
            self._generation += 1  # dispatchers compile it into their WebSocket routes...
            self._websocket_app = None  # ...when the app is built again (next connection)
            return
        if not callable(middleware) or is_http_middleware(middleware):  # (request, response, call_next)
            raise ImproperlyConfigured(
                f"{middleware!r} is not a WebSocket middleware: write async def mw(websocket, call_next), "
                "or give a factory taking the ASGI app and returning one"
            )
        if is_websocket_middleware(middleware, require_async=False):
            # `def mw(websocket, call_next)`: it would be taken for a factory and fail at start-up.
            raise ImproperlyConfigured(
                f"WebSocket middleware {middleware!r} must be `async def mw(websocket, call_next)`"
            )
        self._websocket_middleware.append(middleware)
        self._websocket_app = None  # rebuilt at start-up, or on the next connection

    def add_exception_handler(self, key: ExceptionKey, handler: ExceptionHandler) -> None:
        """Handle an exception class or status code with ``handler(request, response, exc)``."""
        self.exception_handlers.add(key, handler)
        # Dispatchers decide at compile time how to answer a 404 (a prepared body when nobody
        # handles it): a new generation makes them compile again, now if the app is built.
        self._generation += 1
        if self._asgi is not None:
            self.dispatcher.prepare(self)

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
        """Assemble the request path. Called at start-up; calling it again only recompiles the
        dispatcher if routes changed (middleware set-up runs again only after new middleware)."""
        if self._asgi is not None and self._websocket_app is not None:
            self.dispatcher.prepare(self)
            return
        for middleware in self._http_middleware:
            # Middleware that needs the app's config (a secret key, say) checks it here, at
            # start-up, instead of failing on the first request.
            setup = getattr(middleware, "setup", None)
            if callable(setup):
                setup(self)
        self.dispatcher.prepare(self)
        websocket_app: ASGIApp = self.dispatcher.dispatch_websocket
        for factory in reversed(self._websocket_middleware):
            websocket_app = factory(websocket_app)
        self._websocket_app = websocket_app
        app: ASGIApp = self._below_asgi_middleware
        for spec in reversed(self._asgi_middleware):
            app = spec.build(app, self)
        # Access records and request ids bound for log records, only when logging asks for them.
        observed = observe_requests(app, self)
        self._direct_http = not self._asgi_middleware and observed is app
        self._asgi = observed

    async def error_response(self, request: Request, response: Response, exc: Exception) -> BaseResponse:
        """The answer to ``exc`` raised below the app's function middleware: the response of its
        handler, or the default one of an ``HTTPException``. Anything else (and the catch-all
        handler's errors) is raised again: the app logs it with a request id and answers 500
        where no middleware is left to see it.

        Dispatchers call this below the function middleware, so middleware sees (and can
        decorate) a 404 or a handled error like any other response.
        """
        if isinstance(exc, HTTPException):
            handler = self.exception_handlers.find(exc)
            if handler is not None:
                return await call_exception_handler(handler, request, response, exc)
            return http_exception_response(exc)
        if isinstance(exc, ClientDisconnect):
            raise exc  # the client left: nothing to answer, and no error for a handler
        handler = self.exception_handlers.find(exc)
        if handler is None or handler is self.exception_handlers.server_error_handler:
            raise exc
        return await call_exception_handler(handler, request, response, exc)

    async def _answer_error(self, request: Request, response: Response, exc: Exception) -> BaseResponse:
        # Errors that reached the app: from an endpoint without middleware around it, from
        # middleware, or from an exception handler.
        try:
            return await self.error_response(request, response, exc)
        except HTTPException as handler_exc:  # a handler may answer by raising
            return http_exception_response(handler_exc)
        except Exception as unhandled:
            # Unhandled, or a broken exception handler: the 500 (a handler's error must not
            # escape the app without a request id and a log of ours).
            return await self._server_error(request, unhandled)

    async def _server_error(self, request: Request, exc: BaseException) -> BaseResponse:
        log_server_error(request, exc)
        await self._emit_quietly("request.error", request, exc)
        handler = self.exception_handlers.server_error_handler
        if handler is not None:
            try:
                return await call_exception_handler(handler, request, Response(), exc)
            except Exception as handler_exc:  # a broken error handler must not hide the error
                log_server_error(request, handler_exc)
        return server_error_response(request, exc, self.debug)

    async def _below_asgi_middleware(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            scope[_SERVED_HERE] = self  # `__call__` serves it (see there)
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
            websocket_app = self._websocket_app
            if websocket_app is None:  # a WebSocket middleware was added after start-up
                self.build()
                websocket_app = self._websocket_app
                assert websocket_app is not None
            await websocket_app(scope, receive, tracking_send)
        except WebSocketDisconnect:
            return
        except WebSocketException as exc:  # a deliberate close, not a server error
            if not closed:
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": exc.code, "reason": exc.reason})
        except HTTPException as exc:  # a guard, a dependency or validation refused it
            if not closed:
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": 1008,
                                "reason": close_reason(exc.websocket_reason)})
        except Exception as exc:
            log_server_error(Request(scope, receive, send), exc)
            if not closed:
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": 1011})
            await self._emit_quietly("websocket.error", HTTPConnection(scope), exc)

    async def _emit_quietly(self, event: str, *args: Any) -> None:
        # The app's own events: a listener's failure (even a cancellation) must not change how
        # the app answers.
        with contextlib.suppress(Exception):
            await self.events.emit_async(event, *args)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        # PERF: HTTP is served right here, not in a method of its own: one coroutine frame fewer
        # (about 1,100 instructions, 4% of the whole framework cost of a plain request). Under
        # raw ASGI middleware, the innermost layer marks the scope and calls back in.
        if scope["type"] == "http" and (self._direct_http or scope.get(_SERVED_HERE) is self):
            if self.limits is not None and LIMITS_SCOPE_KEY not in scope:
                scope[LIMITS_SCOPE_KEY] = self.limits
            request = Request(scope, receive, send)
            response = Response()
            self.requests_in_flight += 1  # shutdown waits for this to reach 0 (see _drain_requests)
            try:
                try:
                    result = await self.dispatcher.lookup(scope)(request, response)
                    outgoing = result if result is response else to_response(result, response)
                except ClientDisconnect:
                    return  # nobody is listening for an answer
                except Exception as exc:
                    outgoing = await self._answer_error(request, response, exc)
                try:
                    if self.echo_request_id:
                        # PERF: request_id_header's common case written out (no id made yet,
                        # none sent): one call fewer, about 450 instructions.
                        if REQUEST_ID_SCOPE_KEY in scope:
                            echo = scope[REQUEST_ID_SCOPE_KEY]
                        else:
                            for name, _ in scope["headers"]:
                                if name == REQUEST_ID_HEADER:
                                    echo = request_id_header(scope)  # validates it
                                    break
                            else:
                                try:
                                    echo = next(id_header_batch[0])
                                except StopIteration:
                                    echo = refill_id_pool()
                                scope[REQUEST_ID_SCOPE_KEY] = echo
                    else:
                        echo = None
                    messages = response.plain_messages(scope, echo) if outgoing is response else None
                    if messages is not None:
                        await send(messages[0])
                        await send(messages[1])
                    elif echo is not None:
                        # Made before a mounted app gets its copy of the scope, so both use it.
                        await outgoing(scope, receive, echoing_request_id(send, echo[1]))
                    else:
                        await outgoing(scope, receive, send)
                finally:
                    if request.needs_close:
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
        self.lifespan_state = "starting"
        self.build()
        set_current_app(self)  # start-up hooks, and the tasks they start, see this app
        await self.channel_layer.start()
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(self.channel_layer.aclose)  # after the shutdown hooks
            fanout = self.events.fanout
            if fanout is not None:  # events chosen with app.events.fan_out(...) reach every worker
                await fanout.start(self.channel_layer.transport)
                stack.push_async_callback(fanout.stop)
            for hook in self.startup_hooks:
                await _call_hook(hook)
            if self.lifespan_context is not None:
                state = await stack.enter_async_context(self.lifespan_context(self))
                if isinstance(state, Mapping):
                    for key, value in state.items():
                        setattr(self.state, key, value)
            await self._emit_quietly("app.startup", self)
            self.lifespan_state = "ready"
            try:
                yield
            finally:
                self.lifespan_state = "draining"
                # Requests finish their cleanup, and clients get a proper close (1001, going
                # away), before the hooks release what handlers may still be using.
                await self._drain_requests()
                await self.close_websockets()
                await self._emit_quietly("app.shutdown", self)
                await self.events.wait_background(SHUTDOWN_EVENTS_GRACE)
                for hook in self.shutdown_hooks:
                    await _call_hook(hook)
        self.lifespan_state = "stopped"

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

__all__ = ["DEFAULT_THREAD_POOL_SIZE", "App", "Hook", "Lifespan", "LifespanState"]
