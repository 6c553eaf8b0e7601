"""``@rate_limit(...)``: a rate limit for one route.

The decorator attaches a guard (:mod:`nexios_core.guards`): the router runs it before resolving
dependencies or validating inputs, so a refused request costs no database session and gets 429,
never a 422. Routes without the decorator pay nothing for it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from ..guards import add_guard
from ..middleware.chain import to_response
from ..request import Request
from ..responses import BaseResponse, Response
from .rules import RateLimit

_Handler = TypeVar("_Handler", bound=Callable[..., Awaitable[Any]])

# The headers a guard decided for the request being handled, by rule, for the handler's wrapper
# to put on the response (the guard sees only the request). Set and read in the request's task.
_PENDING_HEADERS: ContextVar[dict[int, dict[str, str]] | None] = ContextVar("nexios_rate_limit_headers", default=None)

_STACKED = "__nexios_rate_limits__"
"""How many ``@rate_limit`` rules a handler already carries (``functools.wraps`` copies it up
through other decorators), so stacked rules get default names of their own."""


def rate_limit(limit: int | RateLimit, window: float | None = None, **options: Any) -> Callable[[_Handler], _Handler]:
    """Limit one route: ``@rate_limit(10, 60)`` (10 requests a minute per client address), with
    any :class:`RateLimit` option (``key=by_user()``, ``algorithm="token_bucket"``,
    ``store=RedisRateLimitStore(...)``), or ``@rate_limit(RateLimit(...))``. Put it below the
    route decorator::

        @app.post("/login")
        @rate_limit(5, 60)
        async def login(request, response): ...
    """
    if isinstance(limit, RateLimit):
        if window is not None or options:
            raise TypeError("@rate_limit(RateLimit(...)) takes no other options")
        base = limit
    elif window is None:
        raise TypeError("@rate_limit(limit, window) needs the window, in seconds")
    else:
        base = RateLimit(limit, window, **options)  # options are checked here, at decoration

    def decorate(handler: _Handler) -> _Handler:
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(f"@rate_limit() needs an async handler, got {handler!r}")
        below = getattr(handler, _STACKED, 0)
        if base.name is not None:
            chosen = base
        else:
            # Stacked rules (a burst limit over an hourly one) count apart: with one default
            # name they would share a store key, the second resetting or corrupting the first.
            name = f"{handler.__module__}.{handler.__qualname__}"
            chosen = base.named(name if below == 0 else f"{name}#{below + 1}")
        slot = id(chosen)

        async def guard(request: Request) -> None:
            decision = await chosen.check(request)
            if decision is None:
                return
            if not decision.allowed:
                raise chosen.refusal(decision)
            if chosen.headers and request.scope.get("type") == "http":
                pending = _PENDING_HEADERS.get()
                if pending is None:
                    pending = {}
                    _PENDING_HEADERS.set(pending)
                pending[slot] = chosen.headers_for(decision)

        # ``functools.wraps`` sets ``__wrapped__``: the router reads the handler's real signature
        # through it, so path parameters and dependencies bind exactly as without the decorator.
        @functools.wraps(handler)
        async def limited(*args: Any, **kwargs: Any) -> Any:
            result = await handler(*args, **kwargs)
            pending = _PENDING_HEADERS.get()
            headers = pending.pop(slot, None) if pending is not None else None
            if headers is None:
                return result
            return _with_headers(result, headers, args, kwargs)

        setattr(limited, _STACKED, below + 1)
        add_guard(limited, guard, inherit_from=handler)
        return cast(_Handler, limited)

    return decorate


def _with_headers(result: Any, headers: dict[str, str], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if isinstance(result, BaseResponse):
        target = result
    else:
        builder = next((value for value in (*args, *kwargs.values()) if isinstance(value, Response)), None)
        # A handler that does not take the response gets one built from what it returned, as
        # the router would build it.
        target = builder if builder is not None else to_response(result, Response())
        if builder is None:
            result = target
    for name, value in headers.items():
        target.set_header(name, value)
    return result


__all__ = ["rate_limit"]
