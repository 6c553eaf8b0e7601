"""Upstream Nexios's routing spellings: ``Routes``, ``WSRouter``, ``Router.register``,
``mount_ws_router``, ``ws_route``, ``middlewares=``, ``methods="GET"``, ``add_route(path=...,
handler=...)`` and the upstream positional order of ``Router(...)`` and ``Group(...)``.

``nexios_routing`` has one name for each thing; these subclasses accept the other spellings and
translate them at registration, so a request pays nothing for them. ``from nexios import Router``
gives :class:`Router` below, which is a ``nexios_routing.Router``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import nexios_routing
from nexios_core import ASGIApp
from nexios_routing import Mount, Route, WebSocketRoute

_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])

def route_options(options: dict[str, Any]) -> dict[str, Any]:
    """Route options with upstream's spellings translated: ``middlewares=`` is ``middleware=``;
    ``responses=Model`` or ``responses=List[Model]`` (upstream's OpenAPI guide) documents the
    200 answer, i.e. ``responses={200: Model}`` (it does not validate, as ``response_model=``
    does)."""
    if "middlewares" in options:
        options = dict(options)
        extra = list(options.pop("middlewares") or ())
        options["middleware"] = [*(options.get("middleware") or ()), *extra]
    responses = options.get("responses")
    if responses is not None and not isinstance(responses, Mapping):
        options = {**options, "responses": {200: responses}}
    return options


def method_list(methods: str | Sequence[str] | None) -> list[str] | None:
    """``"GET"`` (upstream's guides pass one method as a string) is ``["GET"]``."""
    if isinstance(methods, str):
        return [methods]
    return list(methods) if methods is not None else None


class Routes(Route):
    """Upstream's route object for list-style tables: ``Routes("/users", handler, methods=["GET"])``.

    A :class:`nexios_routing.Route` that also accepts ``middlewares=`` for ``middleware=`` and
    one method given as a string. Without ``methods`` it answers GET, as upstream's routing guide
    says (``Routes("/dynamic", handler)  # Handles GET by default``); upstream's code answered
    every method, which would open unsafe methods on a route written for reading.
    """

    def __init__(
        self,
        path: str,
        handler: Callable[..., Awaitable[Any]],
        methods: str | Sequence[str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(path, handler, method_list(methods), **route_options(options))


def _split_router_positionals(positional: tuple[Any, ...]) -> dict[str, Any]:
    # Upstream: Router(prefix, routes, tags, exclude_from_schema, name, dependencies); ours:
    # Router(prefix, routes, tags, middleware, dependencies). The values tell them apart.
    found: dict[str, Any] = {}
    for index, value in enumerate(positional):
        if isinstance(value, bool):
            found["exclude_from_schema"] = value
        elif isinstance(value, str) or (value is None and index == 1):
            found["name"] = value
        elif index == 0:
            found["middleware"] = value
        else:
            found["dependencies"] = value
    return found


class UpstreamRouting:
    """The routing methods upstream Nexios had under other names or signatures. Mixed into the
    facade's :class:`Router` and ``NexiosApp``, over the ``nexios_routing`` methods."""

    def add_route(
        self,
        route: Any = None,
        path: Any = None,
        methods: str | Sequence[str] | None = None,
        handler: Callable[..., Awaitable[Any]] | None = None,
        **options: Any,
    ) -> Any:
        """Add a ``Route``/``Routes``/``Group``/``Router`` object, or a route given as
        ``add_route("/path", handler, methods)`` or ``add_route(path="/path", handler=handler)``."""
        if route is None or isinstance(route, str):
            where = route if isinstance(route, str) else path
            if callable(path) and handler is None:  # add_route("/path", handler, ...)
                handler = path
            if not isinstance(where, str) or handler is None:
                raise TypeError("add_route needs a route object, or a path and a handler")
            route = nexios_routing.Route(where, handler, method_list(methods), **route_options(options))
            return super().add_route(route)  # type: ignore[misc]
        return super().add_route(route)  # type: ignore[misc]

    def route(self, path: str, methods: str | Sequence[str] | None = None, **options: Any) -> Callable[[_F], _F]:
        """Decorator: a handler for ``path`` and ``methods`` (default GET; ``"GET"`` or a list)."""
        return super().route(path, method_list(methods), **route_options(options))  # type: ignore[misc,no-any-return]

    def ws_route(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Upstream's name for :meth:`websocket`."""
        return self.websocket(path, **options)  # type: ignore[attr-defined,no-any-return]

    def register(self, app: ASGIApp, prefix: str = "", name: str | None = None) -> Mount:
        """Upstream's :meth:`mount`, with the app first: serve any ASGI app under ``prefix``."""
        return self.mount(prefix, app, name)  # type: ignore[attr-defined,no-any-return]

    def mount_router(self, router: Any, prefix: Any = None) -> None:
        """Serve ``router``'s routes under its prefix (or ``prefix``). Upstream's guides also
        write ``mount_router("/admin", router)``: both orders work."""
        if isinstance(router, str) and not isinstance(prefix, str) and prefix is not None:
            router, prefix = prefix, router
        super().mount_router(router, prefix)  # type: ignore[misc]

    def mount_ws_router(self, router: Any, prefix: Any = None) -> None:
        """Upstream's name for :meth:`mount_router` with a router of WebSocket routes."""
        self.mount_router(router, prefix)


# `add_route` takes upstream's parameters (route, path, methods, handler): mypy sees a signature
# that differs from nexios_routing's, which is the point of this class.
class Router(UpstreamRouting, nexios_routing.Router):  # type: ignore[misc]
    """A ``nexios_routing.Router`` that also accepts upstream Nexios's spellings.

    ``Router(prefix=None, routes=None, tags=None, exclude_from_schema=False, name=None,
    dependencies=None)`` (upstream's order) and ``Router(prefix, routes, tags, middleware,
    dependencies)`` (ours) both work.
    """

    def __init__(
        self,
        prefix: str | Sequence[Any] | None = None,
        routes: Sequence[Any] | None = None,
        tags: Sequence[str] | None = None,
        *positional: Any,
        middleware: Sequence[Any] | None = None,
        middlewares: Sequence[Any] | None = None,
        dependencies: Sequence[Any] | None = None,
        name: str | None = None,
        exclude_from_schema: bool = False,
        redirect_slashes: bool = True,
    ) -> None:
        if not isinstance(prefix, (str, type(None))):  # upstream's WSRouter([WebsocketRoutes(...), ...])
            prefix, routes = None, [*cast(Sequence[Any], prefix), *(routes or ())]
        if len(positional) > 3:
            raise TypeError(f"Router() takes at most 6 positional arguments ({3 + len(positional)} given)")
        given: dict[str, Any] = {"middleware": middleware, "dependencies": dependencies, "name": name}
        values: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        values.setdefault("exclude_from_schema", exclude_from_schema)
        for key, value in _split_router_positionals(positional).items():
            if key in values and key != "exclude_from_schema":
                raise TypeError(f"Router() got multiple values for {key!r}")
            values[key] = value
        combined = [*(values.pop("middleware", None) or ()), *(middlewares or ())]
        super().__init__(prefix or "", None, tags, combined, redirect_slashes=redirect_slashes, **values)
        for item in routes or ():
            self.add_route(item)


WebsocketRoutes = WebSocketRoute
"""Upstream's name for :class:`nexios_routing.WebSocketRoute`: ``WebsocketRoutes("/ws", handler)``."""


class WSRouter(Router):
    """Upstream's router for WebSocket routes (``app.mount_ws_router(WSRouter(...))``): a
    :class:`Router`, since ours holds both kinds of route."""


class Group(UpstreamRouting, nexios_routing.Group):  # type: ignore[misc]
    """A ``nexios_routing.Group`` accepting upstream's order too: ``Group(path="", app=None,
    routes=None, name=None, *, middleware=[])``, or ours, ``Group(path, routes, *, app=...)``."""

    def __init__(
        self,
        path: str = "",
        app_or_routes: Any = None,
        routes: Sequence[Any] | None = None,
        name: str | None = None,
        *,
        app: ASGIApp | None = None,
        middleware: Sequence[Any] | None = None,
        middlewares: Sequence[Any] | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        if app_or_routes is not None:
            if isinstance(app_or_routes, (list, tuple)):
                routes = [*app_or_routes, *(routes or ())]
            elif app is None:
                app = app_or_routes
            else:
                raise TypeError("Group() got two apps")
        combined = [*(middleware or ()), *(middlewares or ())]
        super().__init__(path, routes, app=app, middleware=combined, tags=tags, name=name)


__all__ = [
    "Group",
    "Mount",
    "Route",
    "Router",
    "Routes",
    "UpstreamRouting",
    "WSRouter",
    "WebSocketRoute",
    "WebsocketRoutes",
    "method_list",
    "route_options",
]
