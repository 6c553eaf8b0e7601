"""Handler guards: checks a decorator attaches to a handler, run before anything else.

A guard is ``guard(request)`` (sync or async) that raises an ``HTTPException`` to refuse the
request (``@auth()`` answers 401/403 this way, a rate limit 429). The routing layer's injection
plan runs a handler's guards before it resolves dependencies or validates inputs, so a refusal
is never hidden behind a 422. Decorators attach guards with :func:`add_guard`; whatever builds
endpoints reads them with :func:`guards_of`. Nothing else needs to know the attribute's name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Guard = Callable[[Any], Awaitable[None] | None]
"""``guard(request)``: returns (or resolves to) ``None`` to let the request through, raises to
refuse it."""

GUARDS_ATTRIBUTE = "__nexios_guards__"
"""The attribute of a handler holding its guards, outermost decorator last."""


def guards_of(handler: Any) -> list[Guard]:
    """The guards attached to ``handler`` (a new list; empty when it has none)."""
    return list(getattr(handler, GUARDS_ATTRIBUTE, ()))


def add_guard(target: Any, guard: Guard, *, inherit_from: Any = None) -> None:
    """Attach ``guard`` to ``target``, after the guards of ``inherit_from`` (the function a
    decorator wraps, whose guards the wrapper keeps) or of ``target`` itself."""
    source = target if inherit_from is None else inherit_from
    setattr(target, GUARDS_ATTRIBUTE, [*guards_of(source), guard])


ROUTED_ATTRIBUTE = "__nexios_routed__"
"""Set on a handler by route decorators once it is registered, so that a guard decorator written
*above* the route decorator can still reach the registered handler (see :func:`is_routed`)."""


def mark_routed(handler: Any) -> None:
    """Record that ``handler`` was registered by a route decorator (best effort: objects that take
    no attributes are left alone)."""
    try:
        setattr(handler, ROUTED_ATTRIBUTE, True)
    except (AttributeError, TypeError):
        pass


def is_routed(handler: Any) -> bool:
    """Whether a route decorator already registered ``handler``.

    A guard decorator applied on top of a route decorator wraps a function the router no longer
    looks at: the route would stay open. Such a decorator must attach its guard to ``handler``
    itself when this is true (the router reads guards when it compiles, at start-up).
    """
    return bool(getattr(handler, ROUTED_ATTRIBUTE, False))


__all__ = ["GUARDS_ATTRIBUTE", "ROUTED_ATTRIBUTE", "Guard", "add_guard", "guards_of", "is_routed", "mark_routed"]
