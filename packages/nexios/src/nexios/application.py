"""``NexiosApp``: the core ASGI app composed with a root ``Router``.

Route registration methods delegate to ``app.router``; everything else (middleware, errors,
lifespan, config) is the core app's. Dependency injection and OpenAPI attach through their own
packages' seams as they are installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from nexios_core import (
    App,
    ASGIApp,
    ChannelLayer,
    ExceptionHandler,
    ExceptionKey,
    Hook,
    Lifespan,
    Limits,
    MakeConfig,
)
from nexios_di import close_app_scope, start_app_scope
from nexios_openapi import OpenAPI
from nexios_routing import Mount, Route, WebSocketRoute

from ._compat.app import UpstreamApp
from ._compat.config import remember_app_config
from ._compat.config_keys import translate_upstream_config
from ._compat.routing import Router

_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


class NexiosApp(UpstreamApp, App):
    """A Nexios application. ``get_application(**options)`` builds one with the same options.

    ``title``, ``version`` and ``description`` describe the API in its OpenAPI document, served
    with the docs pages unless ``openapi=False`` (``openapi=OpenAPI(...)`` to configure them, or
    the config's ``openapi`` section, as upstream Nexios did); ``dependencies`` run for
    every route; ``websocket_allowed_origins`` is the default WebSocket origin policy (``None``:
    same origin, or no ``Origin`` header; ``["*"]``: any); ``channel_layer`` carries WebSocket
    group messages (in process by default; ``RedisChannelLayer`` for several workers);
    ``thread_pool_size`` bounds how many plain ``def`` handlers run at once in worker threads.
    ``server_error_handler(request, response, exc)`` answers unhandled errors (the 500).
    ``echo_request_id=False`` stops adding ``X-Request-ID`` to every response (see
    ``docs/operations.md``).

    Upstream Nexios's method names and settings keys are accepted too (``app.register``,
    ``app.wrap_asgi``, ``config.session = {"session_cookie_name": ...}``...): see
    ``docs/migrating.md``.
    """

    def __init__(
        self,
        config: MakeConfig | Mapping[str, Any] | None = None,
        title: str = "Nexios API",
        version: str = "1.0.0",
        description: str | None = None,
        dependencies: Sequence[Any] | None = None,
        middlewares: Sequence[Any] = (),
        lifespan: Lifespan | None = None,
        *,
        debug: bool | None = None,
        exception_handlers: Mapping[ExceptionKey, ExceptionHandler] | None = None,
        on_startup: Sequence[Hook] = (),
        on_shutdown: Sequence[Hook] = (),
        limits: Limits | None = None,
        routes: Sequence[Any] | None = None,
        websocket_allowed_origins: Sequence[str] | None = None,
        redirect_slashes: bool = True,
        channel_layer: ChannelLayer | None = None,
        openapi: OpenAPI | bool = True,
        thread_pool_size: int | None = None,
        server_error_handler: ExceptionHandler | None = None,
        echo_request_id: bool = True,
    ) -> None:
        self.router = Router(routes=routes, dependencies=dependencies,
                             redirect_slashes=redirect_slashes)
        super().__init__(
            config, dispatcher=self.router, debug=debug, middlewares=middlewares,
            exception_handlers=exception_handlers, on_startup=on_startup,
            on_shutdown=on_shutdown, lifespan=lifespan, limits=limits,
            websocket_allowed_origins=websocket_allowed_origins, channel_layer=channel_layer,
            thread_pool_size=thread_pool_size, echo_request_id=echo_request_id,
        )
        remember_app_config(self.config)  # upstream's get_config() outside a request
        if server_error_handler is not None:
            self.add_exception_handler(500, server_error_handler)
        self.title = title
        self.version = version
        self.description = description
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        """Replace a dependency for tests: ``app.dependency_overrides[get_db] = fake_db``."""
        self.docs: OpenAPI = openapi if isinstance(openapi, OpenAPI) else OpenAPI.from_settings(
            self.config.get("openapi"), title=title, version=version, description=description
        )
        """The OpenAPI document and docs pages (``/openapi.json``, ``/docs``, ``/redoc``), served
        unless ``openapi=False``; ``app.docs.add_security_scheme(...)`` declares a scheme."""
        self.openapi_config = self.docs.config
        """The document's settings (upstream's name: ``app.openapi_config.add_security_scheme``)."""
        self._serve_docs = openapi is not False
        self._upstream_config_checked = False

    def build(self) -> None:
        """Assemble the request path (at start-up), the docs routes included unless turned off.
        Upstream Nexios's settings keys are translated first (and unsafe ones refused)."""
        translate_upstream_config(self.config, self.http_middleware, warn=not self._upstream_config_checked)
        self._upstream_config_checked = True
        if self._serve_docs:
            self.docs.setup(self)
        super().build()

    def check_deployment(self, audit: Any) -> None:
        """``nexios check``: the docs pages this app serves (see :mod:`nexios_core.checks`)."""
        if self._serve_docs:
            audit.visit(self.docs)

    def openapi(self) -> dict[str, Any]:
        """The app's OpenAPI 3.1 document (built on first use, then cached)."""
        return self.docs.document(self)

    @contextlib.asynccontextmanager
    async def run_lifespan(self) -> AsyncIterator[None]:
        """The core lifespan, inside the lifetime of app-scoped dependencies
        (``Depend(..., scope="app")``): they exist before the first start-up hook runs and are
        closed after the last shutdown hook, however the hooks were added."""
        self.build()
        plans = [route.plan for route in self.router.routes if route.plan is not None]
        plans += [route.plan for route in self.router.websocket_routes if route.plan is not None]
        await start_app_scope(self, plans)
        try:
            async with super().run_lifespan():
                yield
        finally:
            await close_app_scope(self)
            self._upstream_config_checked = False  # the next start-up says its warnings again

    # Route registration: the root router's methods, so `@app.get(...)` reads like Express.
    def route(self, path: str, methods: str | Sequence[str] | None = None, **options: Any) -> Callable[[_F], _F]:
        """Decorator: a handler for ``path`` and ``methods`` (default GET; one method may be a
        string)."""
        return self.router.route(path, methods, **options)

    def get(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a GET route (HEAD is answered too)."""
        return self.router.get(path, **options)

    def post(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a POST route."""
        return self.router.post(path, **options)

    def put(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a PUT route."""
        return self.router.put(path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a PATCH route."""
        return self.router.patch(path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a DELETE route."""
        return self.router.delete(path, **options)

    def head(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for an explicit HEAD route."""
        return self.router.head(path, **options)

    def options(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for an explicit OPTIONS route."""
        return self.router.options(path, **options)

    def add_route(self, route: Any = None, path: Any = None, methods: str | Sequence[str] | None = None,
                  handler: Callable[..., Awaitable[Any]] | None = None, **options: Any) -> Any:
        """Add a ``Route``/``Routes``/``Router``/``Group`` object, or a route given as
        ``add_route(path, handler, methods=[...])`` or ``add_route(path=..., handler=...)``."""
        return self.router.add_route(route, path, methods, handler, **options)

    def websocket(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a WebSocket route (``async def handler(websocket, **path_params)``)."""
        return self.router.websocket(path, **options)

    def add_ws_route(self, route: WebSocketRoute | str,
                     handler: Callable[..., Awaitable[Any]] | None = None, **options: Any) -> WebSocketRoute:
        """Add a WebSocket route."""
        return self.router.add_ws_route(route, handler, **options)

    def mount_router(self, router: Any, prefix: Any = None) -> None:
        """Serve a ``Router``'s routes (under its prefix, or ``prefix``)."""
        self.router.mount_router(router, prefix)

    def mount(self, prefix: str, app: ASGIApp, name: str | None = None) -> Mount:
        """Serve any ASGI app under ``prefix``."""
        return self.router.mount(prefix, app, name)

    def url_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name`` (``"v1.user"`` for a route of a router named
        ``v1``)."""
        return self.router.url_for(name, **path_params)

    @property
    def routes(self) -> list[Route]:
        """Every HTTP route, with full paths."""
        return self.router.routes


def get_application(
    config: MakeConfig | Mapping[str, Any] | None = None, **options: Any
) -> NexiosApp:
    """Build a :class:`NexiosApp` (the documented entry point: ``app = get_application()``)."""
    return NexiosApp(config, **options)


__all__ = ["NexiosApp", "get_application"]
