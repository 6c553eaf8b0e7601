"""``Router``: registering routes, nesting routers, mounting ASGI apps, and dispatching.

Registration can happen on any router in any order; the root router flattens the whole tree
into one compiled table the first time it dispatches after a change (``prepare``), so the
request path does one dict lookup for static paths and a short trie walk for dynamic ones.
Router-level middleware and tags are applied to every route below the router at that point.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from nexios_core.datastructures import query_for_location
from nexios_core.dispatch import HTTPHandler
from nexios_core.errors import http_exception_response
from nexios_core.exceptions import (
    HTTPException,
    ImproperlyConfigured,
    MethodNotAllowed,
    NotFoundException,
)
from nexios_core.limits import LIMITS_SCOPE_KEY
from nexios_core.middleware.chain import Endpoint, compose, is_http_middleware, to_response
from nexios_core.request import Request, routed_path
from nexios_core.responses import BaseResponse, RedirectResponse, Response
from nexios_core.types import ASGIApp, Receive, Scope, Send

from .matcher import RouteTrie
from .mounts import MountedAppResponse, websocket_close
from .paths import join_paths, normalise_path
from .routes import Mount, Route, WebSocketRoute

_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


class _PathEntry:
    """Everything registered for one path template: an endpoint per method."""

    __slots__ = ("template", "endpoints", "routes", "allow")

    def __init__(self, route: Route) -> None:
        self.template = route.template
        # Per method: a callable (request, response) returning what a handler may return;
        # `dispatch` turns that into the response (see `_route_endpoint`).
        self.endpoints: dict[str, RouteEndpoint] = {}
        self.routes: dict[str, Route] = {}
        self.allow = ""


class _CompiledRoutes:
    """The flattened, compiled form of a router tree."""

    def __init__(self) -> None:
        self.static: dict[str, _PathEntry] = {}
        self.trie: RouteTrie[_PathEntry] = RouteTrie()
        self.websocket_trie: RouteTrie[WebSocketRoute] = RouteTrie()
        self.mounts: list[tuple[Mount, Endpoint]] = []
        self.routes: list[Route] = []
        self.websocket_routes: list[WebSocketRoute] = []
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
            route = Route(route, handler, methods, **options)
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
            self.add_route(Route(path, handler, methods, **options))
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

    def ws_route(self, path: str, **options: Any) -> Callable[[_F], _F]:
        """Decorator for a WebSocket route: ``async def handler(websocket, **path_params)``."""

        def register(handler: _F) -> _F:
            self.add_ws_route(WebSocketRoute(path, handler, **options))
            return handler

        return register

    websocket = ws_route

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

    mount_ws_router = mount_router

    def _ancestors(self) -> list[Router]:
        found: list[Router] = []
        for parent in self._parents:
            found.append(parent)
            found.extend(parent._ancestors())
        return found

    def register(self, app: ASGIApp, prefix: str = "", name: str | None = None) -> Mount:
        """Serve any ASGI app (another Nexios app, Starlette, static files...) under ``prefix``."""
        mount = Mount(prefix, app, name=name)
        self.add_route(mount)
        return mount

    def mount(self, prefix: str, app: ASGIApp, name: str | None = None) -> Mount:
        """Same as :meth:`register`, with the prefix first."""
        return self.register(app, prefix, name)

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
            full_ws = ws_route.copy_with_prefix(here, dependencies=dependencies + ws_route.dependencies)
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

    def prepare(self) -> None:
        """Compile the route table (idempotent; the app calls it at start-up)."""
        if self._compiled is not None:
            return
        out = _CompiledRoutes()
        self._flatten("", [], [], [], "", out)
        for bound in out.routes:
            bound.bind()  # the full path and inherited dependencies are known only now
        for bound_ws in out.websocket_routes:
            bound_ws.bind()
        entries: list[_PathEntry] = []
        for route in out.routes:
            candidate = _PathEntry(route)
            entry = out.trie.insert(route.template, candidate)
            if entry is candidate:
                entries.append(entry)
            if route.template.is_static:
                out.static[route.path] = entry
            endpoint = _route_endpoint(route)
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
                entry.endpoints["OPTIONS"] = _options_endpoint(self, entry.allow)
        out.mounts.sort(key=lambda item: len(item[0].prefix), reverse=True)
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

    def url_for(self, name: str, **path_params: Any) -> str:
        """The path of the route called ``name`` (``router_name.route_name`` inside a named
        router), with ``path_params`` filled in."""
        self.prepare()
        route = self._compiled.names.get(name)  # type: ignore[union-attr]
        if route is None:
            raise KeyError(f"No route named {name!r}")
        return route.template.format(path_params)

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
    def lookup(self, scope: Scope) -> RouteEndpoint | None:
        """The endpoint answering this HTTP request: the route's (its path values are then put
        in ``scope``), or, when no route matches, one answering with a mounted app, 405, a
        slash redirect or 404. ``None`` only while the table is not compiled (``dispatch``
        compiles it).

        It is synchronous so that the app can await the endpoint itself: one coroutine frame
        fewer per request than going through ``dispatch``. The result of the endpoint is what a
        handler returns, not yet a response.
        """
        compiled = self._compiled
        if compiled is None:
            return None
        path = routed_path(scope) if scope.get("root_path") else scope["path"]
        method = scope["method"]
        entry = compiled.static.get(path)
        if entry is not None:
            endpoint = entry.endpoints.get(method)
            if endpoint is not None:
                return endpoint
        rejected: list[_PathEntry] = []
        found = compiled.trie.find(path, method, rejected)
        if found is None:
            # Routes at this path serving other methods (the 405's Allow). Always set on a
            # miss: a mounted app's scope is a copy of this one, and must not see ours.
            scope[_REJECTED_SCOPE_KEY] = rejected
            return self._answer_unmatched
        entry, params = found
        scope["path_params"] = params
        return entry.endpoints[method]

    async def dispatch(self, request: Request, response: Response) -> BaseResponse:
        """Find and run the handler for ``request``: a route's, a mounted app, or the 404/405
        answer (a customised 404 or 405 handler is reached by raising ``HTTPException``)."""
        endpoint = self.lookup(request.scope)
        if endpoint is None:
            self.prepare()
            endpoint = self.lookup(request.scope)
        result = await endpoint(request, response)  # type: ignore[misc]
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
        handlers = getattr(scope.get("app"), "exception_handlers", None)
        if handlers is not None and not handlers.handles(NotFoundException, 404):
            # Nobody customises 404s: answer without raising (scanners make 404s common).
            return http_exception_response(_NOT_FOUND)
        raise NotFoundException()

    async def dispatch_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Find and run the WebSocket handler; close with 1000 before accepting when none
        matches (the server answers the handshake with 403)."""
        from nexios_core.websocket import WebSocket
        from nexios_core.websocket_origin import origin_is_allowed

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
                    await mount.app(child, receive, send)
                    return
            await websocket_close(receive, send, 1000)
            return
        route, params = found
        app = scope.get("app")
        default_origins = getattr(app, "websocket_allowed_origins", None)
        allowed = route.allowed_origins if route.allowed_origins is not None else default_origins
        if not origin_is_allowed(scope, allowed):
            await websocket_close(receive, send, 1008)
            return
        scope["path_params"] = params
        if route.limits is not None:
            scope[LIMITS_SCOPE_KEY] = route.limits
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


class WSRouter(Router):
    """A router meant for WebSocket routes (``app.mount_ws_router``); it is a ``Router``."""


def _add_name(out: _CompiledRoutes, name_prefix: str, route: Route | WebSocketRoute) -> None:
    if route.name:
        out.names.setdefault(name_prefix + route.name, route)


RouteEndpoint = HTTPHandler
"""What a route answers with: the handler itself when it takes exactly ``(request, response)``, or
its injection plan. ``dispatch`` turns the result into a response: one frame fewer per request
than a wrapper around every handler."""


def _route_endpoint(route: Route) -> RouteEndpoint:
    plan = route.plan
    assert plan is not None  # bound by prepare()
    limits = route.limits
    handler = plan.func
    endpoint: RouteEndpoint

    direct = plan.positional == ["request", "response"] and limits is None and not plan.guards
    if direct and plan.is_trivial:
        endpoint = handler  # `async def h(request, response)`
    elif direct and plan.only_path_values:
        # `async def h(request, response, user_id: int)`: the route's converters did the work.
        path_values = tuple(plan.path_values)

        async def with_path_values(request: Request, response: Response) -> Any:
            params = request.scope["path_params"]
            return await handler(request, response, **{name: params[key] for name, key in path_values})

        endpoint = with_path_values
    elif limits is None:
        endpoint = plan  # `plan(request, response)` reads the path values from the scope
    else:

        async def with_limits(request: Request, response: Response) -> Any:
            request.scope[LIMITS_SCOPE_KEY] = limits
            return await plan(request, response)

        endpoint = with_limits

    endpoint = _validating_responses(route, endpoint)
    middleware = [m() if isinstance(m, type) else m for m in route.middleware]
    if not middleware:
        return endpoint

    async def responding(request: Request, response: Response) -> BaseResponse:
        # What the middleware chain wraps must produce a response (`call_next` returns it).
        result = await endpoint(request, response)
        return result if result is response else to_response(result, response)

    # `to_response` records a replacement response, so the chain needs no recording frame.
    return compose(middleware, responding, endpoint_records=True)


def _validating_responses(route: Route, endpoint: RouteEndpoint) -> RouteEndpoint:
    """``endpoint``, its results checked against the route's response model (nexios_di's
    validator, built at registration). Routes without one get ``endpoint`` itself: no cost."""
    validate = route.response_validator
    if validate is None:
        return endpoint

    async def validating(request: Request, response: Response) -> Any:
        return validate(await endpoint(request, response))

    return validating


_REJECTED_SCOPE_KEY = "nexios.routing.rejected"
"""Where `lookup` leaves the routes that match the path but not the method, for the 405."""
_NOT_FOUND = NotFoundException()


def _options_endpoint(router: Router, allow: str) -> Endpoint:
    async def options(request: Request, response: Response) -> BaseResponse:
        # Other routes may answer other methods at this URL (GET /users/me and DELETE
        # /users/{id}): list them all, as a 405 does.
        return response.empty(204, headers={"allow": router._allow_for(routed_path(request.scope)) or allow})

    return options


def _mount_endpoint(mount: Mount, middleware: list[Any]) -> Endpoint:
    async def endpoint(request: Request, response: Response) -> BaseResponse:
        return MountedAppResponse(mount.app, mount.prefix, request)

    return compose(middleware, endpoint) if middleware else endpoint


_PATH_SAFE = "/!$&'()*+,;=:@"
"""Characters left as they are in a redirect path besides letters, digits and ``_.-~``."""


def _relative(location: str) -> str:
    # "//evil.example" would be read by browsers as another host: keep redirects on this one.
    return "/" + location.lstrip("/")


__all__ = ["Router", "WSRouter"]
