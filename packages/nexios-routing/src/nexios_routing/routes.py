"""Route objects: an HTTP route, a WebSocket route, and a mount of any ASGI app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from nexios_core import ASGIApp, ImproperlyConfigured, Limits, websocket_middleware_in
from nexios_di import DependencyError, InjectionPlan, Kind, NodeCache
from nexios_di.response_model import ResponseValidator, build_response_validator, response_model_for

from .binding import build_plan
from .paths import PathTemplate, join_paths, parse_template

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
EXTENSION_METHODS = frozenset({
    # The IANA HTTP Method Registry (WebDAV, CalDAV, versioning...), and PURGE, which caches use.
    "ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "COPY", "LABEL", "LINK", "LOCK", "MERGE",
    "MKACTIVITY", "MKCALENDAR", "MKCOL", "MKREDIRECTREF", "MKWORKSPACE", "MOVE", "ORDERPATCH", "PROPFIND",
    "PROPPATCH", "PURGE", "QUERY", "REBIND", "REPORT", "SEARCH", "UNBIND", "UNCHECKOUT", "UNLINK", "UNLOCK",
    "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL",
})
"""Methods a route may answer besides :data:`HTTP_METHODS`; any other name is taken for a typo."""


class _HandlerRoute:
    """What HTTP and WebSocket routes share: a path template, a handler bound to it through an
    injection plan, and copies of the route under a router's prefix."""

    kind: Kind = "http"
    template: PathTemplate
    path: str
    handler: Callable[..., Awaitable[Any]]
    dependencies: list[Any]
    plan: InjectionPlan | None

    def _bind_early(self) -> None:
        # Fail at registration, not on the first request, if the handler cannot be bound. A
        # parameter may still come from a router prefix declared later: then the error waits
        # for `bind()`, which the router calls with the full path when it compiles.
        try:
            self.plan = build_plan(self.handler, self.template.param_converters, self.dependencies, self.kind)
        except DependencyError:
            self.plan = None

    def check_with_prefix(self, prefix: str) -> None:
        """Raise the registration error unless the handler binds under ``prefix``."""
        converters = parse_template(join_paths(prefix, self.path)).param_converters
        build_plan(self.handler, converters, self.dependencies, self.kind)

    def bind(self, nodes: NodeCache | None = None) -> None:
        """Build the final plan for the full path and inherited dependencies (router compile),
        sharing dependency nodes through ``nodes`` (the app's)."""
        self.plan = build_plan(self.handler, self.template.param_converters, self.dependencies,
                               self.kind, nodes)

    def copy_with_prefix(self, prefix: str, **inherited: Any) -> Any:
        """A copy of this route under ``prefix`` (used when a router is mounted), with the
        attributes in ``inherited`` (middleware, dependencies, tags of the routers above)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.template = parse_template(join_paths(prefix, self.path))
        clone.path = clone.template.path
        for key, value in inherited.items():
            setattr(clone, key, value)
        return clone


class Route(_HandlerRoute):
    """An HTTP route: ``Route("/users/{id:int}", handler, methods=["GET"], name="user")``.

    Besides routing, a route carries route-level ``middleware`` and ``dependencies``, ``limits``
    overriding the app's for this route, and what the OpenAPI document says about it (read by
    nexios-openapi, with the meaning upstream Nexios gave these options):

    - ``summary``, ``description`` (default: the handler's docstring), ``tags``, ``deprecated``,
      ``operation_id`` (default: derived from the route's name);
    - ``responses``: ``{status: what}``, where ``what`` is a type (a model, ``list[Model]``...),
      an ``HTTPException`` subclass, or a Response Object mapping (``{"description": ...}``);
    - ``request_model``: the body's type, for handlers that read the body themselves, sent as
      ``request_content_type`` (default ``application/json``);
    - ``parameters``: extra Parameter Objects (``nexios_openapi.models.Query(name=...)``...);
    - ``security``: the operation's security requirements (``[{"bearerAuth": []}]``);
    - ``openapi_extra``: a mapping merged into the operation last;
    - ``include_in_schema=False`` or ``exclude_from_schema=True``: leave the route out.

    ``response_model`` (default: the return annotation when it names a model) is the type of what
    the handler returns: returned data is validated against it and filtered to its fields before
    it is sent, unless ``validate_response=False`` (then it only documents the answer).
    """

    def __init__(
        self,
        path: str,
        handler: Callable[..., Awaitable[Any]],
        methods: Sequence[str] | None = None,
        *,
        name: str | None = None,
        summary: str | None = None,
        description: str | None = None,
        tags: Sequence[str] | None = None,
        responses: dict[int | str, Any] | None = None,
        middleware: Sequence[Any] | None = None,
        dependencies: Sequence[Any] | None = None,
        limits: Limits | None = None,
        deprecated: bool = False,
        operation_id: str | None = None,
        include_in_schema: bool = True,
        exclude_from_schema: bool = False,
        request_model: Any = None,
        request_content_type: str | None = None,
        parameters: Sequence[Any] | None = None,
        security: Sequence[Mapping[str, Sequence[str]]] | None = None,
        openapi_extra: Mapping[str, Any] | None = None,
        response_model: Any = None,
        validate_response: bool = True,
    ) -> None:
        self.template: PathTemplate = parse_template(path)
        self.path = self.template.path
        self.raw_path = path
        """The path as written for this route (``path`` becomes the full path, router prefixes
        included, once the route is mounted)."""
        self.handler = handler
        upper = [m.upper() for m in (methods or ["GET"])]
        unknown = [m for m in upper if m not in HTTP_METHODS and m not in EXTENSION_METHODS]
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown HTTP method(s) {unknown} for route {path!r}: use {', '.join(HTTP_METHODS)}, "
                "or a registered extension method (PURGE, PROPFIND...)"
            )
        self.methods: tuple[str, ...] = tuple(dict.fromkeys(upper))
        self.name = name if name is not None else getattr(handler, "__name__", None)
        self.summary = summary
        self.description = description if description is not None else (handler.__doc__ or None)
        self.tags: list[str] = list(tags or ())
        self.responses = dict(responses or {})
        self.middleware: list[Any] = list(middleware or ())
        self.dependencies: list[Any] = list(dependencies or ())
        self.limits = limits
        self.deprecated = deprecated
        self.operation_id = operation_id
        self.include_in_schema = include_in_schema and not exclude_from_schema
        self.request_model = request_model
        self.request_content_type = request_content_type
        self.parameters: list[Any] = list(parameters or ())
        self.security: list[dict[str, list[str]]] | None = (
            [{name: list(scopes) for name, scopes in requirement.items()} for requirement in security]
            if security is not None else None
        )
        self.openapi_extra = dict(openapi_extra or {})
        self.response_model = response_model_for(handler, response_model)
        # Built now, once: a model pydantic cannot handle fails at registration.
        self.response_validator: ResponseValidator | None = (
            build_response_validator(self.response_model, handler)
            if self.response_model is not None and validate_response else None
        )
        self._bind_early()

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """This route's path with ``path_params`` filled in, if ``name`` is its name (else
        ``KeyError``)."""
        if name != self.name:
            raise KeyError(f"Route {self.path!r} is not named {name!r}")
        return self.template.format(path_params)

    def __repr__(self) -> str:
        return f"Route({self.path!r}, methods={list(self.methods)}, name={self.name!r})"


class WebSocketRoute(_HandlerRoute):
    """A WebSocket route: ``WebSocketRoute("/chat/{room}", handler)``; the handler gets the
    ``WebSocket`` first and path parameters by name. ``allowed_origins`` overrides the app's
    origin policy for this route (``None``: same origin only, or no ``Origin`` header).
    ``middleware`` runs around the handler: ``async def mw(websocket, call_next)`` functions, and
    HTTP middleware that also serves WebSockets (see ``nexios_core.websocket_middleware``)."""

    kind: Kind = "websocket"

    def __init__(
        self,
        path: str,
        handler: Callable[..., Awaitable[Any]],
        *,
        name: str | None = None,
        allowed_origins: Sequence[str] | None = None,
        limits: Limits | None = None,
        dependencies: Sequence[Any] | None = None,
        middleware: Sequence[Any] | None = None,
    ) -> None:
        self.template = parse_template(path)
        self.path = self.template.path
        self.handler = handler
        self.name = name if name is not None else getattr(handler, "__name__", None)
        self.allowed_origins = list(allowed_origins) if allowed_origins is not None else None
        self.limits = limits
        self.dependencies: list[Any] = list(dependencies or ())
        self.middleware: list[Any] = list(middleware or ())
        for item in self.middleware:
            if not websocket_middleware_in([item]):
                raise ImproperlyConfigured(
                    f"{item!r} cannot run on a WebSocket route {path!r}: write async def mw(websocket, "
                    "call_next), or give an HTTP middleware a handle_websocket(websocket, call_next) method"
                )
        self._bind_early()

    def bind(self, nodes: NodeCache | None = None) -> None:
        """Build the final plan; the handler must take the WebSocket first."""
        super().bind(nodes)
        assert self.plan is not None
        if self.plan.positional != ["websocket"]:
            raise ImproperlyConfigured(
                f"WebSocket handler {getattr(self.handler, '__qualname__', self.handler)!r} must "
                "take the websocket as its first argument"
            )

    def __repr__(self) -> str:
        return f"WebSocketRoute({self.path!r}, name={self.name!r})"


class Mount:
    """Any ASGI app served under ``prefix``. The app sees ``root_path`` extended by the prefix and
    the full ``path`` (the ASGI convention); ``scope["nexios.mount_path"]`` holds the rest."""

    def __init__(self, prefix: str, app: ASGIApp, *, name: str | None = None) -> None:
        template = parse_template(prefix.rstrip("/") or "/")
        if not template.is_static:
            raise ImproperlyConfigured(f"Mount prefixes cannot have parameters: {prefix!r}")
        self.prefix = template.path.rstrip("/")
        self.app = app
        self.name = name

    def __repr__(self) -> str:
        return f"Mount({self.prefix!r}, {self.app!r})"


__all__ = ["EXTENSION_METHODS", "HTTP_METHODS", "Mount", "Route", "WebSocketRoute"]
