"""Upstream Nexios's handler decorators (``nexios.decorators``)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from nexios_core import ImproperlyConfigured, MethodNotAllowed, Request, Response, add_guard, is_routed

_Handler = TypeVar("_Handler", bound=Callable[..., Awaitable[Any]])


def allowed_methods(methods: Sequence[str]) -> Callable[[_Handler], _Handler]:
    """Answer ``405 Method Not Allowed`` (with ``Allow``) to any method not in ``methods``,
    before dependencies run or the body is read."""
    allowed = frozenset(method.upper() for method in ([methods] if isinstance(methods, str) else methods))
    if not allowed:
        raise ImproperlyConfigured("allowed_methods needs at least one method")
    allow_header = ", ".join(sorted(allowed))

    def check(request: Request) -> None:
        if request.method not in allowed and not (request.method == "HEAD" and "GET" in allowed):
            raise MethodNotAllowed(headers={"Allow": allow_header})

    def decorate(handler: _Handler) -> _Handler:
        if is_routed(handler):  # written above the route decorator: guard the registered handler
            add_guard(handler, check)
            return handler

        @functools.wraps(handler)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            check(_request_in(args, kwargs))
            return await handler(*args, **kwargs)

        add_guard(guarded, check, inherit_from=handler)
        return cast(_Handler, guarded)

    return decorate


ExceptionClasses = type[BaseException] | Iterable[type[BaseException]]


def catch_exception(
    exceptions: ExceptionClasses, handler: Callable[[Request, Response, BaseException], Any]
) -> Callable[[_Handler], _Handler]:
    """Answer ``exceptions`` raised by the decorated handler with ``handler(request, response,
    exc)`` (sync or async), whose result is sent as a handler's would be."""
    caught = (exceptions,) if isinstance(exceptions, type) else tuple(exceptions)
    if not caught or not all(isinstance(item, type) and issubclass(item, BaseException) for item in caught):
        raise ImproperlyConfigured(f"catch_exception needs exception classes, got {exceptions!r}")

    def decorate(route_handler: _Handler) -> _Handler:
        if is_routed(route_handler):
            raise ImproperlyConfigured(
                f"@catch_exception above the route decorator cannot wrap {route_handler!r}: write it "
                "below @app.get(...)"
            )

        @functools.wraps(route_handler)
        async def catching(*args: Any, **kwargs: Any) -> Any:
            try:
                return await route_handler(*args, **kwargs)
            except caught as exc:
                request = _request_in(args, kwargs)
                response = next((value for value in (*args, *kwargs.values()) if isinstance(value, Response)), None)
                result = handler(request, response if response is not None else Response(), exc)
                return await result if inspect.isawaitable(result) else result

        return cast(_Handler, catching)  # `wraps` carried the handler's guards over

    return decorate


def _request_in(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Request:
    for value in (*args, *kwargs.values()):
        if isinstance(value, Request):
            return value
    raise TypeError("This decorator works on handlers that receive the request")


__all__ = ["allowed_methods", "catch_exception"]
