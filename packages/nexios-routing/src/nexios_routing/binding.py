"""Binding path parameters (and everything else) to handler arguments.

The plan itself comes from ``nexios_di``: the router tells it which names the path declares and
what their converters produce, and gets back an ``InjectionPlan`` built once. A path value whose
converter already produced the annotated type is passed through untouched; otherwise it is
validated against the annotation and a failure answers 422 naming the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nexios_di import InjectionPlan, Kind, NodeCache
from nexios_di import build_plan as build_injection_plan

from .converters import (
    FloatConverter,
    IntegerConverter,
    PathConverter,
    StringConverter,
    UUIDConverter,
)

_PRODUCED: dict[type, type] = {
    IntegerConverter: int,
    FloatConverter: float,
    UUIDConverter: uuid.UUID,
    StringConverter: str,
    PathConverter: str,
}


def build_plan(
    handler: Callable[..., Awaitable[Any]],
    path_converters: dict[str, Any],
    dependencies: Sequence[Any] = (),
    kind: Kind = "http",
    nodes: NodeCache | None = None,
) -> InjectionPlan:
    """The injection plan for ``handler`` on a path with ``path_converters`` (dependency nodes
    shared through ``nodes``, the app's cache)."""
    produced = {name: _PRODUCED.get(type(conv)) for name, conv in path_converters.items()}
    return build_injection_plan(
        handler,
        path_params=list(path_converters),
        path_types={k: v for k, v in produced.items() if v is not None},
        dependencies=dependencies,
        kind=kind,
        nodes=nodes,
    )


__all__ = ["InjectionPlan", "build_plan"]
