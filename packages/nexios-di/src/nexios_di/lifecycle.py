"""Starting and stopping app-scoped dependencies with the application."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .nodes import DependencyNode
from .plan import InjectionPlan
from .scope import app_scope_for


def app_scoped_nodes(plans: Iterable[InjectionPlan]) -> list[DependencyNode]:
    """Every app-scoped dependency reachable from ``plans``, each once."""
    found: dict[int, DependencyNode] = {}
    seen: set[int] = set()

    def visit(plan: InjectionPlan) -> None:
        for node in [*plan.always_run, *(n for _, n in plan.dependencies)]:
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.scope == "app":
                found[id(node)] = node
            visit(node.plan)

    for plan in plans:
        visit(plan)
    return list(found.values())


async def start_app_scope(app: Any, plans: Iterable[InjectionPlan]) -> None:
    """Create every app-scoped dependency now (call at start-up) rather than on first use.

    ``app.dependency_overrides`` is honoured: an overridden dependency's replacement is created
    instead, so a test that swaps a connection pool never opens the real one.
    """
    scope = app_scope_for(app)
    overrides = getattr(app, "dependency_overrides", None) or {}
    for node in app_scoped_nodes(plans):
        replacement = overrides.get(node.call)
        if replacement is not None:
            node = node.override_node(replacement, "http")
        await scope.get(node)


async def close_app_scope(app: Any) -> None:
    """Close app-scoped generator dependencies (call at shutdown)."""
    await app_scope_for(app).close()


__all__ = ["app_scoped_nodes", "close_app_scope", "start_app_scope"]
