"""``Router``: registering routes, nesting routers, mounting ASGI apps, and finding endpoints.

Registration can happen on any router in any order; the root router flattens the whole tree
into one compiled table the first time it is asked after a change (``prepare``): every route
becomes its endpoint there (:func:`~nexios_routing.endpoints.build_endpoint`, with the router's
and the app's middleware around it), so the request path does one dict lookup for static paths
or a short trie walk for dynamic ones, and awaits what it found. A request that matches nothing
is answered as directly: a prepared 404, unless a mount, another method (405) or a trailing
slash (redirect) could apply.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from nexios_core import (
    LIMITS_SCOPE_KEY,
    AppView,
    ASGIApp,
    BaseResponse,
    Endpoint,
    HTTPException,
    HTTPHandler,
    ImproperlyConfigured,
    MethodNotAllowed,
    NotFoundException,
    Receive,
    RedirectResponse,
    Request,
    Response,
    Scope,
    Send,
    WebSocketEndpoint,
    around_app_middleware,
    compose,
    http_exception_response,
    is_http_middleware,
    jsoncodec,
    mark_routed,
    query_for_location,
    routed_path,
    to_response,
    websocket_middleware_in,
)
from nexios_di import NodeCache

from .endpoints import build_endpoint, build_websocket_endpoint, route_middleware
from .matcher import RouteTrie
from .mounts import MountedAppResponse, websocket_close
from .paths import join_paths, normalise_path
from .routes import Mount, Route, WebSocketRoute

if TYPE_CHECKING:
    from nexios_core.checks import Audit

_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


class _PathEntry:
    """Everything registered for one path template: an endpoint per method."""

    __slots__ = ("template", "endpoints", "routes", "allow")

    def __init__(self, route: Route) -> None:
        self.template = route.template
        # Per method: a callable (request, response) returning what a handler may return;
        # `dispatch` turns that into the response (see `_route_endpoint`).
        self.endpoints: dict[str, HTTPHandler] = {}
        self.routes: dict[str, Route] = {}
        self.allow = ""


class _CompiledRoutes:
    """The flattened, compiled form of a router tree, for one app (and its middleware)."""

    def __init__(self, app: AppView | None) -> None:
        self.app = app
        self.generation = app.generation if app is not None else 0
        self.unmatched: HTTPHandler | None = None
        self.not_found: HTTPHandler | None = None
        self.trailing_slash_routes = False
        self.static: dict[str, _PathEntry] = {}
        # Paths seen to match no route for any method, with the endpoint answering them (404),
        # so that a repeated miss (favicon.ico, robots.txt, a scanner's list) is found as
        # directly as a static route. Bounded: see `_remember_miss`.
        self.known_misses: dict[str, HTTPHandler] = {}
        self.trie: RouteTrie[_PathEntry] = RouteTrie()
        self.websocket_trie: RouteTrie[WebSocketRoute] = RouteTrie()
        self.mounts: list[tuple[Mount, Endpoint]] = []
        self.routes: list[Route] = []
        self.websocket_routes: list[WebSocketRoute] = []
        # Routes with WebSocket middleware around their handler (the others have no entry).
        self.websocket_endpoints: dict[WebSocketRoute, WebSocketEndpoint] = {}
        self.names: dict[str, Route | WebSocketRoute] = {}


class Router:
    """A group of routes with an optional ``prefix``, ``tags``, ``middleware`` and ``dependencies``
    applied to all of them. Mount it with ``app.mount_router(router)`` (or into another router).

    ``redirect_slashes`` (default True): when a path has no route but the same path with the
    trailing slash added or removed has one, answer ``307`` with a relative ``Location`` to it.
    ``exclude_from_schema=True`` leaves every route below this router out of the OpenAPI document.
    """

    def __init__(
        self,
        prefix: str = "",
        routes: Sequence[Any] | None = None,
        tags: Sequence[str] | None = None,
        middleware: Sequence[Any] | None = None,
        dependencies: Sequence[Any] | None = None,
        *,
        name: str | None = None,
        redirect_slashes: bool = True,
        exclude_from_schema: bool = False,
    ) -> None:
        self.prefix = normalise_path(prefix).rstrip("/") if prefix else ""
        self.exclude_from_schema = exclude_from_schema
        self.tags: list[str] = list(tags or ())
        self.dependencies: list[Any] = list(dependencies or ())
        self.name = name
        self.redirect_slashes = redirect_slashes
        self._routes: list[Route] = []
        self._websocket_routes: list[WebSocketRoute] = []
        self._children: list[tuple[str, Router]] = []
        self._mounts: list[Mount] = []
        self._parents: list[Router] = []
        self._compiled: _CompiledRoutes | None = None
        self._app: AppView | None = None
        # Dependency nodes shared by the routes this router compiles: owned by the (root)
        # router of one app, so two apps never share them.
        self._nodes = NodeCache()
        self.middleware: list[Any] = []
        for item in middleware or ():
            self.add_middleware(item)
        for item in routes or ():
            self.add_route(item)

    # ---------------------------------------------------------------- registration
    def _changed(self) -> None:
        self._compiled = None
        for parent in self._parents:
            parent._changed()

    def add_route(
        self,
        route: Route | WebSocketRoute | Mount | Router | str,
        handler: Callable[..., Awaitable[Any]] | None = None,
        methods: Sequence[str] | None = None,
        **options: Any,
    ) -> Any:
        """Add a ``Route`` (or ``path, handler, methods=...``), a ``WebSocketRoute``, a ``Mount``
        or a ``Router``/``Group``. Returns what was added."""
        if isinstance(route, str):
            if handler is None:
                raise TypeError("add_route(path, handler) needs a handler")
            route = _new_route(route, handler, methods, options)
        if isinstance(route, (Route, WebSocketRoute)) and route.plan is None:
            # The handler names a parameter its own path lacks: it may come from this router's
            # prefix. Check now, so a mistake still fails at registration.
            route.check_with_prefix(self.prefix)
        if isinstance(route, Route):
            self._routes.append(route)
        elif isinstance(route, WebSocketRoute):
            self._websocket_routes.append(route)
        elif isinstance(route, Mount):
            self._mounts.append(route)
        elif isinstance(route, Router):
            self.mount_router(route)
        else:
            raise TypeError(f"Cannot add {route!r} as a route")
        self._changed()
        return route

    def route(self, path: str, methods: Sequence[str] | None = None, **options: Any) -> Callable[[_F], _F]:
        """Decorator: register the handler for ``path`` and ``methods`` (default GET)."""

        def register(handler: _F) -> _F:
            self.add_route(_new_route(path, handler, methods, options))
            mark_routed(handler)  # a guard decorator written above this one must still apply
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a GET route (HEAD is answered too)."""
        return self.route(path, ["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a POST route."""
        return self.route(path, ["POST"], **options)

    def put(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a PUT route."""
        return self.route(path, ["PUT"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a PATCH route."""
        return self.route(path, ["PATCH"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a DELETE route."""
        return self.route(path, ["DELETE"], **options)

    def head(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for an explicit HEAD route."""
        return self.route(path, ["HEAD"], **options)

    def options(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for an explicit OPTIONS route (otherwise OPTIONS answers 204 with Allow)."""
        return self.route(path, ["OPTIONS"], **options)

    def add_ws_route(
        self, route: WebSocketRoute | str, handler: Callable[..., Awaitable[Any]] | None = None,
        **options: Any,
    ) -> WebSocketRoute:
        """Add a WebSocket route (a ``WebSocketRoute`` or ``path, handler``)."""
        if isinstance(route, str):
            if handler is None:
                raise TypeError("add_ws_route(path, handler) needs a handler")
            route = WebSocketRoute(route, handler, **options)
        self.add_route(route)
        return route

    def websocket(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a WebSocket route: ``async def handler(websocket, **path_params)``."""

        def register(handler: _F) -> _F:
            self.add_ws_route(WebSocketRoute(path, handler, **options))
            mark_routed(handler)  # `@auth()` written above this one must still refuse the handshake
            return handler

        return register

    def add_middleware(self, middleware: Any) -> None:
        """Add function/class-style middleware that runs for every route of this router."""
        if isinstance(middleware, type):
            middleware = middleware()
        if not is_http_middleware(middleware):
            raise ImproperlyConfigured(
                f"{middleware!r} is not a (request, response, call_next) middleware; raw ASGI "
                "middleware belongs on the app (app.add_middleware)"
            )
        self.middleware.append(middleware)
        self._changed()

    def mount_router(self, router: Router, prefix: str | None = None) -> None:
        """Serve ``router``'s routes under ``prefix`` (default: the router's own prefix) joined to
        this router's prefix."""
        if router is self or router in self._ancestors():
            raise ImproperlyConfigured("A router cannot be mounted inside itself")
        self._children.append((prefix if prefix is not None else router.prefix, router))
        router._parents.append(self)
        self._changed()

    def _ancestors(self) -> list[Router]:
        found: list[Router] = []
        for parent in self._parents:
            found.append(parent)
            found.extend(parent._ancestors())
        return found

    def mount(self, prefix: str, app: ASGIApp, name: str | None = None) -> Mount:
        """Serve any ASGI app (another Nexios app, Starlette, static files...) under ``prefix``."""
        mount = Mount(prefix, app, name=name)
        self.add_route(mount)
        return mount

    # ---------------------------------------------------------------- compiling
    def _flatten(
        self, prefix: str, middleware: list[Any], tags: list[str], dependencies: list[Any],
        name_prefix: str, out: _CompiledRoutes, excluded: bool = False,
    ) -> None:
        here = join_paths(prefix, self.prefix) if self.prefix else prefix
        middleware = middleware + self.middleware
        tags = tags + [t for t in self.tags if t not in tags]
        dependencies = dependencies + self.dependencies
        excluded = excluded or self.exclude_from_schema
        for route in self._routes:
            full = route.copy_with_prefix(
                here,
                tags=tags + [t for t in route.tags if t not in tags],
                middleware=middleware + route.middleware,
                dependencies=dependencies + route.dependencies,
                include_in_schema=route.include_in_schema and not excluded,
            )
            out.routes.append(full)
            _add_name(out, name_prefix, full)
        for ws_route in self._websocket_routes:
            full_ws = ws_route.copy_with_prefix(
                here, dependencies=dependencies + ws_route.dependencies,
                middleware=websocket_middleware_in(middleware) + ws_route.middleware,
            )
            out.websocket_routes.append(full_ws)
            out.websocket_trie.insert(full_ws.template, full_ws)
            _add_name(out, name_prefix, full_ws)
        for mount in self._mounts:
            full_mount = Mount(join_paths(here, mount.prefix) or "/", mount.app, name=mount.name)
            out.mounts.append((full_mount, _mount_endpoint(full_mount, middleware)))
        for child_prefix, child in self._children:
            child_name = name_prefix + (f"{child.name}." if child.name else "")
            # The child's own prefix is applied inside; `child_prefix` replaces it when given.
            saved = child.prefix
            child.prefix = normalise_path(child_prefix).rstrip("/") if child_prefix else ""
            try:
                child._flatten(here, middleware, tags, dependencies, child_name, out, excluded)
            finally:
                child.prefix = saved

    def prepare(self, app: AppView | None = None) -> None:
        """Compile the route table for ``app`` (``None``: serve on its own, or for the app given
        last). Idempotent; the app calls it at start-up and after adding middleware."""
        if app is None:
            app = self._app
        compiled = self._compiled
        if compiled is not None and compiled.app is app and (
            app is None or compiled.generation == app.generation
        ):
            return
        self._app = app
        out = _CompiledRoutes(app)
        self._flatten("", [], [], [], "", out)
        for bound in out.routes:
            bound.bind(self._nodes)  # the full path and inherited dependencies are known only now
        for bound_ws in out.websocket_routes:
            bound_ws.bind(self._nodes)
            websocket_endpoint = build_websocket_endpoint(bound_ws, app)
            if websocket_endpoint is not None:
                out.websocket_endpoints[bound_ws] = websocket_endpoint
        entries: list[_PathEntry] = []
        for route in out.routes:
            candidate = _PathEntry(route)
            entry = out.trie.insert(route.template, candidate)
            if entry is candidate:
                entries.append(entry)
            if route.template.is_static:
                out.static[route.path] = entry
            if route.path.endswith("/") and route.path != "/":
                out.trailing_slash_routes = True
            endpoint = build_endpoint(route, app)
            for method in route.methods:
                if method in entry.endpoints:
                    raise ImproperlyConfigured(
                        f"Two handlers for {method} {route.path}: "
                        f"{entry.routes[method].handler!r} and {route.handler!r}"
                    )
                entry.endpoints[method] = endpoint
                entry.routes[method] = route
        for entry in entries:
            if "GET" in entry.endpoints and "HEAD" not in entry.endpoints:
                entry.endpoints["HEAD"] = entry.endpoints["GET"]
            allowed = sorted(set(entry.endpoints) | {"OPTIONS"})
            entry.allow = ", ".join(allowed)
            if "OPTIONS" not in entry.endpoints:
                entry.endpoints["OPTIONS"] = around_app_middleware(_options_endpoint(self, entry.allow), app)
        out.mounts.sort(key=lambda item: len(item[0].prefix), reverse=True)
        out.unmatched = around_app_middleware(self._answer_unmatched, app)
        out.not_found = around_app_middleware(_not_found_endpoint(app), app)
        self._compiled = out

    @property
    def routes(self) -> list[Route]:
        """Every HTTP route of this router and the routers below it, with full paths."""
        self.prepare()
        return list(self._compiled.routes)  # type: ignore[union-attr]

    @property
    def websocket_routes(self) -> list[WebSocketRoute]:
        """Every WebSocket route, with full paths."""
        self.prepare()
        return list(self._compiled.websocket_routes)  # type: ignore[union-attr]

    @property
    def node_cache(self) -> NodeCache:
        """The dependency nodes this router's routes share (read by app-scope start-up)."""
        return self._nodes

    def url_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name``, with ``path_params`` filled in. Dots name
        what contains it: ``"users.get_user"`` is route ``get_user`` of the router named
        ``users``, or of the app mounted with ``name="users"`` (its path then starts with the
        mount's prefix)."""
        self.prepare()
        compiled = self._compiled
        assert compiled is not None
        route = compiled.names.get(name)
        if route is not None:
            return route.template.format(path_params)
        mount_name, dot, rest = name.partition(".")
        if dot:
            for mount, _ in compiled.mounts:
                inner_url_for = getattr(mount.app, "url_for", None)
                if mount.name == mount_name and callable(inner_url_for):
                    try:
                        inner = inner_url_for(rest, **path_params)
                    except KeyError:
                        continue
                    return mount.prefix + str(inner)
        raise KeyError(f"No route named {name!r}")

    def _allow_for(self, path: str) -> str:
        """Every method some route answers at ``path`` (the ``Allow`` of an automatic OPTIONS)."""
        compiled = self._compiled
        if compiled is None:  # routes were added meanwhile; the caller falls back to its own
            return ""
        matching: list[_PathEntry] = []
        # No route serves the method "", so every entry matching the path lands in `matching`.
        compiled.trie.find(path, "", matching)
        return ", ".join(sorted({m for e in matching for m in e.endpoints}))

    # ---------------------------------------------------------------- dispatching
    def lookup(self, scope: Scope) -> HTTPHandler:
        """The endpoint answering this HTTP request: the route's (its path values are then put
        in ``scope``), or, when no route matches, one answering with a mounted app, 405, a
        slash redirect or 404. Compiles the table first if routes changed.

        Synchronous, so that the app awaits the endpoint itself. The endpoint's result is what
        a handler returns, not yet a response.
        """
        compiled = self._compiled
        if compiled is None:
            self.prepare()
            compiled = self._compiled
            assert compiled is not None
        path = routed_path(scope) if scope.get("root_path") else scope["path"]
        method = scope["method"]
        entry = compiled.static.get(path)
        if entry is not None:
            endpoint = entry.endpoints.get(method)
            if endpoint is not None:
                return endpoint
        else:
            known_miss = compiled.known_misses.get(path)
            if known_miss is not None:
                return known_miss
        rejected: list[_PathEntry] = []
        found = compiled.trie.find(path, method, rejected)
        if found is None:
            if not rejected and not compiled.mounts and not (
                self.redirect_slashes and path != "/" and (path[-1] == "/" or compiled.trailing_slash_routes)
            ):
                # No route matches this path with any method (none was rejected for its
                # method alone), nothing is mounted and no slash redirect applies: a 404
                # whatever the method, which is what makes the answer safe to remember.
                _remember_miss(compiled, path)
                return compiled.not_found  # type: ignore[return-value]
            # Routes at this path serving other methods (the 405's Allow). Always set on a
            # miss: a mounted app's scope is a copy of this one, and must not see ours.
            scope[_REJECTED_SCOPE_KEY] = rejected
            return compiled.unmatched  # type: ignore[return-value]
        entry, params = found
        scope["path_params"] = params
        return entry.endpoints[method]

    def check_deployment(self, audit: Audit) -> None:
        """``nexios check``: route-level limits and middleware, and the apps mounted here."""
        self.prepare()
        compiled = self._compiled
        assert compiled is not None
        for route in compiled.routes:
            audit.check_limits(route.limits, f"route {route.path}")
            for middleware in route.middleware:
                audit.visit(middleware)
        for mount, _ in compiled.mounts:
            if callable(getattr(mount.app, "build", None)) and hasattr(mount.app, "config"):
                audit.visit_app(mount.app, where=f"mounted at {mount.prefix}")
            else:
                audit.visit(mount.app)

    def route_template(self, scope: Scope) -> str | None:
        """The template of the route serving this request or WebSocket (``/users/{id:int}``),
        for logs and traces: asked after the fact, only by them, so routing pays nothing for it.
        A path that matches a route but not the method (405) names that route; a path served
        by a mounted app gives the mount's prefix followed by that app's own answer (or
        ``/{path:path}`` when it cannot say); ``None`` when nothing matches."""
        compiled = self._compiled
        if compiled is None:
            return None
        path = routed_path(scope) if scope.get("root_path") else scope["path"]
        if scope["type"] == "websocket":
            found_ws = compiled.websocket_trie.find(path, None, None)
            if found_ws is not None:
                return found_ws[0].path
        else:
            entry = compiled.static.get(path)
            if entry is None or scope.get("method") not in entry.endpoints:
                rejected: list[_PathEntry] = []
                found = compiled.trie.find(path, scope.get("method", "GET"), rejected)
                entry = found[0] if found is not None else (rejected[0] if rejected else entry)
            if entry is not None:
                return entry.template.path
        for mount, _ in compiled.mounts:
            prefix = mount.prefix
            if path == prefix or path.startswith(prefix + "/") or prefix == "":
                return prefix.rstrip("/") + _mounted_template(mount.app, scope, prefix)
        return None

    async def dispatch(self, request: Request, response: Response) -> BaseResponse:
        """Find and run the endpoint for ``request``, and return the response to send (for a
        router serving on its own: an app awaits ``lookup``'s endpoint itself)."""
        result = await self.lookup(request.scope)(request, response)
        return result if result is response else to_response(result, response)

    async def _answer_unmatched(self, request: Request, response: Response) -> BaseResponse:
        # No route matches the path with this method (`lookup` found none).
        compiled = self._compiled
        assert compiled is not None
        scope = request.scope
        path = routed_path(scope) if scope.get("root_path") else scope["path"]
        method = scope["method"]
        for mount, mount_endpoint in compiled.mounts:
            prefix = mount.prefix
            if path == prefix or path.startswith(prefix + "/") or prefix == "":
                return await mount_endpoint(request, response)
        rejected: list[_PathEntry] | None = scope.get(_REJECTED_SCOPE_KEY)
        if rejected:
            allow = ", ".join(sorted({m for e in rejected for m in e.endpoints}))
            raise MethodNotAllowed(headers={"Allow": allow})
        if self.redirect_slashes and path != "/":
            target = path[:-1] if path.endswith("/") else path + "/"
            static_target = compiled.static.get(target)
            if (static_target is not None and method in static_target.endpoints) or compiled.trie.find(
                target, method
            ):
                # The path is percent-decoded: encode it again so that non-ASCII text cannot
                # break the header, "%3F" stays in the path, and "\\" or a tab (which browsers
                # read as "/" or drop) cannot turn "/\\evil.com" into "//evil.com".
                location = quote((scope.get("root_path") or "") + target, safe=_PATH_SAFE)
                query = scope.get("query_string", b"")
                if query:
                    location += "?" + query_for_location(query)
                return RedirectResponse(_relative(location), status_code=307)
        return await compiled.not_found(request, response)  # type: ignore[misc,no-any-return]

    async def dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Find and run the WebSocket handler; close with 1000 before accepting when none
        matches (the server answers the handshake with 403)."""
        from nexios_core import WebSocket, origin_is_allowed

        compiled = self._compiled
        if compiled is None:
            self.prepare()
            compiled = self._compiled
        path = routed_path(scope)
        found = compiled.websocket_trie.find(path, None, None)  # type: ignore[union-attr]
        if found is None:
            for mount, _ in compiled.mounts:  # type: ignore[union-attr]
                if path == mount.prefix or path.startswith(mount.prefix + "/") or mount.prefix == "":
                    child = dict(scope)
                    child["root_path"] = (scope.get("root_path") or "") + mount.prefix
                    child["nexios.mount_path"] = path[len(mount.prefix):] or "/"
                    child.setdefault("nexios.base_app", scope.get("app"))
                    await mount.app(child, receive, send)
                    return
            await websocket_close(receive, send, 1000)
            return
        route, params = found
        default_origins = self._app.websocket_allowed_origins if self._app is not None else None
        allowed = route.allowed_origins if route.allowed_origins is not None else default_origins
        if not origin_is_allowed(scope, allowed):
            await websocket_close(receive, send, 1008)
            return
        scope["path_params"] = params
        if route.limits is not None:
            scope[LIMITS_SCOPE_KEY] = route.limits
        endpoint = compiled.websocket_endpoints.get(route)  # type: ignore[union-attr]
        if endpoint is not None:  # WebSocket middleware around the handler
            await endpoint(WebSocket(scope, receive, send))
            return
        plan = route.plan
        assert plan is not None  # bound by prepare()
        await plan(WebSocket(scope, receive, send), None, params)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the router on its own as an ASGI app (errors answer their default JSON)."""
        if scope["type"] == "websocket":
            await self.dispatch_websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive, send)
        response = Response()
        try:
            outgoing = await self.dispatch(request, response)
        except HTTPException as exc:
            outgoing = http_exception_response(exc)
        await outgoing(scope, receive, send)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prefix={self.prefix!r})"


_ROUTE_OPTIONS = frozenset(inspect.signature(Route).parameters) - {"path", "handler", "methods"}


def _new_route(path: str, handler: Callable[..., Awaitable[Any]], methods: Sequence[str] | None,
               options: dict[str, Any]) -> Route:
    # A misspelt option (`method=["POST"]`) must not register a GET route silently.
    unknown = sorted(set(options) - _ROUTE_OPTIONS)
    if unknown:
        name = getattr(handler, "__qualname__", repr(handler))
        raise TypeError(
            f"Unknown route option(s) {', '.join(map(repr, unknown))} for {name} at {path!r}; "
            f"known: {', '.join(sorted(_ROUTE_OPTIONS | {'methods'}))}"
        )
    return Route(path, handler, methods, **options)


def _add_name(out: _CompiledRoutes, name_prefix: str, route: Route | WebSocketRoute) -> None:
    if route.name:
        out.names.setdefault(name_prefix + route.name, route)


_REJECTED_SCOPE_KEY = "nexios.routing.rejected"
"""Where `lookup` leaves the routes that match the path but not the method, for the 405."""
_NOT_FOUND_BODY = jsoncodec.dumps({"detail": NotFoundException().detail})


_KNOWN_MISSES_LIMIT = 1024
"""How many missed paths a compiled table remembers; the memo starts afresh when full."""
_KNOWN_MISS_LENGTH_LIMIT = 256
"""Longer missed paths are not remembered (a client chooses them: they must not cost memory)."""


def _remember_miss(compiled: _CompiledRoutes, path: str) -> None:
    # Bounded in entries and in path length, so that a client sending endless distinct paths
    # costs at most about a quarter of a megabyte; starting afresh when full keeps the paths
    # that are asked for again (favicon.ico, a health probe's typo) without a recency list.
    if len(path) <= _KNOWN_MISS_LENGTH_LIMIT and compiled.not_found is not None:
        misses = compiled.known_misses
        if len(misses) >= _KNOWN_MISSES_LIMIT:
            misses.clear()
        misses[path] = compiled.not_found


def _not_found_endpoint(app: AppView | None) -> HTTPHandler:
    # Chosen when the table is compiled: `App.add_exception_handler` changes the app's
    # generation, which makes the router compile again.
    handlers = app.exception_handlers if app is not None else None
    if handlers is None or handlers.handles(NotFoundException, 404):

        async def raise_not_found(request: Request, response: Response) -> Any:
            raise NotFoundException()  # the app's 404 handler (or a router on its own) answers

        return raise_not_found

    async def not_found(request: Request, response: Response) -> Any:
        # Nobody customises 404s: a prepared body, nothing raised (scanners make 404s common).
        return response.send(_NOT_FOUND_BODY, "application/json", 404)

    return not_found


def _mounted_template(app: Any, scope: Scope, prefix: str) -> str:
    # What a mounted app says about the path below its prefix, asked with the scope it gets.
    describe = getattr(app, "route_template", None) or getattr(
        getattr(app, "dispatcher", None), "route_template", None)
    if describe is not None:
        child = {**scope, "root_path": (scope.get("root_path") or "") + prefix}
        template = describe(child)
        if template is not None:
            return template if template != "/" else ""
    return "/{path:path}"


def _options_endpoint(router: Router, allow: str) -> Endpoint:
    async def options(request: Request, response: Response) -> BaseResponse:
        # Other routes may answer other methods at this URL (GET /users/me and DELETE
        # /users/{id}): list them all, as a 405 does.
        return response.empty(204, headers={"allow": router._allow_for(routed_path(request.scope)) or allow})

    return options


def _mount_endpoint(mount: Mount, middleware: list[Any]) -> Endpoint:
    async def endpoint(request: Request, response: Response) -> BaseResponse:
        return MountedAppResponse(mount.app, mount.prefix, request)

    return compose(route_middleware(middleware), endpoint) if middleware else endpoint


_PATH_SAFE = "/!$&'()*+,;=:@"
"""Characters left as they are in a redirect path besides letters, digits and ``_.-~``."""


def _relative(location: str) -> str:
    # "//evil.example" would be read by browsers as another host: keep redirects on this one.
    return "/" + location.lstrip("/")


__all__ = ["Router"]
