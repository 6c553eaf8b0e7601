"""How a handler's arguments are filled: a plan built once when the route is registered.

The first two positional parameters receive the request and the response, whatever their names
(``async def h(request, response)`` or ``async def h(req, res)``). A parameter named like a path
parameter receives its value, converted by its annotation when the annotation differs from what
the path converter produced (``{id}`` with ``id: int``); a value that does not convert answers
422 with the field named, never 500. Parameters with any other name must have a default, or a
resolver that a dependency-injection layer registers (see :data:`PARAMETER_RESOLVERS`).
"""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from nexios_core.exceptions import ImproperlyConfigured, UnprocessableEntity
from nexios_core.request import Request
from nexios_core.responses import Response

Coercer = Callable[[Any], Any]


def _coerce_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not a boolean")


_COERCERS: dict[Any, Coercer] = {
    int: int, float: float, str: str, uuid.UUID: lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)),
    bool: _coerce_bool,
}


class ParameterResolver(Protocol):
    """Supplies a handler parameter the router does not know (DI, typed query/header/body...).

    ``build`` is called once at registration with the parameter; it returns ``None`` when it
    does not handle that parameter, or an async function ``(request, response) -> value``.
    """

    def build(self, handler: Callable[..., Any], parameter: inspect.Parameter,
              annotation: Any) -> Callable[[Request, Response], Awaitable[Any]] | None: ...


PARAMETER_RESOLVERS: list[ParameterResolver] = []
"""Resolvers consulted in order for parameters that are neither request, response nor path
parameters. ``nexios_di`` registers one; plugins may register more."""


class InvocationPlan:
    """Everything needed to call one handler, decided at registration time."""

    __slots__ = ("handler", "positional", "path_params", "resolved", "takes_path_kwargs")

    def __init__(
        self,
        handler: Callable[..., Awaitable[Any]],
        positional: int,
        path_params: tuple[tuple[str, Coercer | None], ...],
        resolved: tuple[tuple[str, Callable[[Request, Response], Awaitable[Any]]], ...],
    ) -> None:
        self.handler = handler
        self.positional = positional
        self.path_params = path_params
        self.resolved = resolved
        self.takes_path_kwargs = bool(path_params)

    async def __call__(self, request: Request, response: Response, params: dict[str, Any]) -> Any:
        kwargs: dict[str, Any] = {}
        for name, coerce in self.path_params:
            value = params[name]
            if coerce is not None:
                try:
                    value = coerce(value)
                except (ValueError, TypeError):
                    raise UnprocessableEntity(
                        detail=[{"loc": ["path", name], "msg": f"invalid value {str(value)[:100]!r}",
                                 "type": "value_error"}]
                    ) from None
            kwargs[name] = value
        for name, resolve in self.resolved:
            kwargs[name] = await resolve(request, response)
        positional = self.positional
        if positional == 2:
            return await self.handler(request, response, **kwargs)
        if positional == 1:
            return await self.handler(request, **kwargs)
        return await self.handler(**kwargs)


def _annotations(handler: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(handler)
    except Exception:  # unresolvable forward references: fall back to the raw annotations
        return dict(getattr(handler, "__annotations__", {}))


def build_plan(
    handler: Callable[..., Awaitable[Any]], path_converters: dict[str, Any]
) -> InvocationPlan:
    """Inspect ``handler`` once and return how to call it. Mistakes raise here, naming the
    handler and the parameter."""
    target = handler
    if not inspect.iscoroutinefunction(target) and not inspect.iscoroutinefunction(
        getattr(target, "__call__", None)
    ):
        raise ImproperlyConfigured(
            f"Handler {_name(handler)} must be an async function (async def ...)"
        )
    signature = inspect.signature(handler)
    hints = _annotations(handler)
    positional = 0
    path_params: list[tuple[str, Coercer | None]] = []
    resolved: list[tuple[str, Callable[[Request, Response], Awaitable[Any]]]] = []
    for parameter in signature.parameters.values():
        name = parameter.name
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if name in path_converters:
            annotation = hints.get(name, inspect.Parameter.empty)
            path_params.append((name, _coercer_for(handler, name, annotation, path_converters[name])))
            continue
        annotation = hints.get(name, inspect.Parameter.empty)
        resolver = _resolve(handler, parameter, annotation)
        if resolver is not None:
            resolved.append((name, resolver))
            continue
        if positional < 2 and parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
        ) and not resolved and not path_params:
            positional += 1
            continue
        if parameter.default is inspect.Parameter.empty:
            raise ImproperlyConfigured(
                f"Handler {_name(handler)} has a parameter {name!r} that is not a path parameter "
                f"(the path declares {sorted(path_converters) or 'none'}), has no default, and no "
                "resolver supplies it. Rename it to match the path, give it a default, or declare "
                "where it comes from (Depend, Query, Header...)."
            )
    return InvocationPlan(handler, positional, tuple(path_params), tuple(resolved))


def _resolve(
    handler: Callable[..., Any], parameter: inspect.Parameter, annotation: Any
) -> Callable[[Request, Response], Awaitable[Any]] | None:
    for resolver in PARAMETER_RESOLVERS:
        built = resolver.build(handler, parameter, annotation)
        if built is not None:
            return built
    return None


def _coercer_for(handler: Callable[..., Any], name: str, annotation: Any, converter: Any) -> Coercer | None:
    if annotation is inspect.Parameter.empty or annotation is Any:
        return None
    produced = {"IntegerConverter": int, "FloatConverter": float, "UUIDConverter": uuid.UUID,
                "StringConverter": str, "PathConverter": str}.get(type(converter).__name__)
    if produced is annotation:
        return None
    coerce = _COERCERS.get(annotation)
    if coerce is None and isinstance(annotation, type):
        coerce = annotation  # enums, constrained types: calling the type converts or raises
    if coerce is None:
        raise ImproperlyConfigured(
            f"Handler {_name(handler)}: cannot convert path parameter {name!r} to {annotation!r}"
        )
    return coerce


def _name(handler: Callable[..., Any]) -> str:
    module = getattr(handler, "__module__", "?")
    return f"{module}.{getattr(handler, '__qualname__', repr(handler))}"


__all__ = ["InvocationPlan", "PARAMETER_RESOLVERS", "ParameterResolver", "build_plan"]
