"""Injection plans: how to call one function, decided once.

:func:`nexios_di.build_plan` inspects a handler's (or dependency's) signature a single time, at
route registration, and returns an :class:`InjectionPlan`. Calling the plan per request only
walks precomputed readers: no ``inspect``, no annotation lookups. ``all_parameters()`` describes
the inputs to other packages (the OpenAPI document).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .classify import Kind, ParameterInfo
from .context import Context
from .errors import RequestValidationError
from .nodes import DependencyNode
from .scope import DependencyScope
from .validation import BodyReader, FormReader, ValueReader


class InjectionPlan:
    """How to call one function. ``await plan(request, response, path_params)`` calls it."""

    __slots__ = ("func", "kind", "positional", "values", "readers", "dependencies",
                 "specials", "parameters", "needs_scope", "is_trivial", "always_run",
                 "path_values", "only_path_values", "guards", "fills", "reads_body")

    def __init__(self, func: Callable[..., Any], kind: Kind) -> None:
        self.func = func
        self.kind = kind
        self.positional: list[str] = []  # "request" / "response" / "websocket", in order
        self.values: list[tuple[str, ValueReader]] = []
        # Path values already converted by the route's converters: copied, never validated.
        self.path_values: list[tuple[str, str]] = []
        self.only_path_values = False
        # Checks a decorator attached (see GUARDS_ATTRIBUTE): run before anything else.
        self.guards: list[Callable[[Any], Any]] = []
        self.readers: list[tuple[str, BodyReader | FormReader]] = []
        self.dependencies: list[tuple[str, DependencyNode]] = []
        self.specials: list[tuple[str, str]] = []
        self.parameters: list[ParameterInfo] = []
        self.always_run: list[DependencyNode] = []
        self.needs_scope = False
        self.is_trivial = False
        self.fills = False  # path values, request values or special objects to add
        self.reads_body = False  # body or form readers (awaited)

    # -- public description, for OpenAPI and friends ------------------------------------------
    def all_parameters(self) -> list[ParameterInfo]:
        """Every request input this call reads, its dependencies' included (deduplicated)."""
        seen: dict[tuple[str, str], ParameterInfo] = {}
        for info in self._walk_parameters(set()):
            seen.setdefault((info.source, info.key), info)
        return list(seen.values())

    def _walk_parameters(self, visited: set[int]) -> list[ParameterInfo]:
        found = list(self.parameters)
        for node in [*self.always_run, *(n for _, n in self.dependencies)]:
            if id(node) not in visited:
                visited.add(id(node))
                found.extend(node.plan._walk_parameters(visited))
        return found

    # -- runtime ------------------------------------------------------------------------------
    def fill(self, kwargs: dict[str, Any], request: Any, response: Any,
             params: dict[str, Any]) -> list[dict[str, Any]]:
        """Add the path values, request values and special objects to ``kwargs``: everything
        that needs no awaiting. Returns the validation errors found (empty when none)."""
        errors: list[dict[str, Any]] = []
        for name, key in self.path_values:
            kwargs[name] = params[key]
        for name, reader in self.values:
            kwargs[name] = reader.read(request, params, errors)
        for name, what in self.specials:
            kwargs[name] = _special(what, request, response)
        return errors

    async def arguments(self, request: Any, response: Any, params: dict[str, Any],
                        scope: DependencyScope | None) -> dict[str, Any]:
        """Resolve every keyword argument (positional ones are handled by ``__call__``)."""
        kwargs: dict[str, Any] = {}
        # Dependencies first (as FastAPI users expect): an authentication dependency answers
        # 401 before the request's values are judged.
        for node in self.always_run:
            await node.resolve(scope)  # type: ignore[arg-type]
        for name, node in self.dependencies:
            kwargs[name] = await node.resolve(scope)  # type: ignore[arg-type]
        errors = self.fill(kwargs, request, response, params) if self.fills else []
        for name, body_reader in self.readers:
            kwargs[name] = await body_reader.read(request, errors)
        if errors:
            raise RequestValidationError(errors)
        return kwargs

    async def __call__(self, request: Any, response: Any, params: dict[str, Any] | None = None) -> Any:
        """Call the function for this request. ``params`` are the path values; by default, the
        ``path_params`` of the request's scope (where the router puts them)."""
        if params is None:
            params = request.scope.get("path_params") or _NO_PARAMS
        func = self.func
        for guard in self.guards:
            outcome = guard(request)
            if inspect.isawaitable(outcome):
                await outcome
        # Bare handlers and handlers of path values only never get here over HTTP: the router's
        # endpoint builder calls them directly (nexios_routing.endpoints).
        if not self.needs_scope and not self.reads_body:  # typed query/header/cookie values
            kwargs: dict[str, Any] = {}
            errors = self.fill(kwargs, request, response, params)
            if errors:
                raise RequestValidationError(errors)
            return await func(*_positional(self.positional, request, response), **kwargs)
        scope: DependencyScope | None = None
        if self.needs_scope:
            scope = DependencyScope(request, response, params, self.kind)
        try:
            if self.reads_body or self.always_run:
                kwargs = await self.arguments(request, response, params, scope)
            else:
                # PERF: `arguments`, inlined for the common shape (dependencies and values), as
                # in `DependencyNode.resolve`: a shared coroutine would add a frame per request
                # (about 1,100 instructions, 2% of the /di benchmark on CPython 3.11).
                kwargs = {}
                cache = scope.cache  # type: ignore[union-attr]
                for name, node in self.dependencies:
                    if node.request_cached and node.call in cache:
                        kwargs[name] = cache[node.call]
                    else:
                        kwargs[name] = await node.resolve(scope)  # type: ignore[arg-type]
                if self.fills:
                    errors = self.fill(kwargs, request, response, params)
                    if errors:
                        raise RequestValidationError(errors)
            result = await func(*_positional(self.positional, request, response), **kwargs)
        except BaseException as exc:
            if scope is not None and scope.exits:
                await scope.close(exc)  # generators see the error now; may replace it
            raise
        if scope is not None and scope.exits:
            if self.kind == "websocket":
                await scope.close(None)  # the connection is over when the handler returns
            else:
                request.add_cleanup(scope.close)  # after the response has been sent
        return result



_NO_PARAMS: dict[str, Any] = {}


def _positional(names: list[str], request: Any, response: Any) -> list[Any]:
    return [request if name != "response" else response for name in names]


def _special(what: str, request: Any, response: Any) -> Any:
    if what == "request" or what == "websocket":
        return request
    if what == "response":
        return response
    if what == "app":
        return request.scope.get("app")
    return Context(request, response)


# ----------------------------------------------------------------------------- building



def build_plan(*args: Any, **kwargs: Any) -> InjectionPlan:
    """See :func:`nexios_di.builder.build_plan` (kept importable from here)."""
    from .builder import build_plan as build

    return build(*args, **kwargs)


__all__ = ["DependencyNode", "InjectionPlan", "Kind", "ParameterInfo", "build_plan"]
