"""Composing function- and class-style middleware around an endpoint, once, at start-up.

A middleware is ``async def mw(request, response, call_next)``. ``await call_next()`` runs the
rest of the chain and returns the response that will be sent. The middleware may return that
response, a replacement, anything a handler may return (a dict, a str...), or ``None``: ``None``
means "the response ``call_next`` returned", or the ``response`` builder if it never called it
(so ``response.json(..., status_code=401)`` followed by a bare ``return`` short-circuits).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..request import Request
from ..responses import BaseResponse, Response

CallNext = Callable[[], Awaitable[BaseResponse]]
MiddlewareFunction = Callable[[Request, Response, CallNext], Awaitable[Any]]
Endpoint = Callable[[Request, Response], Awaitable[BaseResponse]]
"""What a chain wraps and what it becomes: a callable that always produces a response."""


def to_response(result: Any, response: Response) -> BaseResponse:
    """Turn whatever a handler or middleware returned into the response to send.

    ``None`` or the builder itself: the builder. Another response object: that object, with the
    builder's headers, cookies and background tasks carried over. dict, list, pydantic models and
    other objects: JSON. str: ``text/plain``. bytes: ``application/octet-stream``.
    """
    if result is None or result is response:
        return response
    if isinstance(result, BaseResponse):
        return response.adopt(result)
    if isinstance(result, str):
        return response.text(result)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return response.send(bytes(result))
    return response.json(result)


def is_http_middleware(candidate: Any) -> bool:
    """Whether ``candidate`` is a function/class-style middleware ``(request, response, call_next)``
    rather than a raw ASGI middleware factory."""
    if isinstance(candidate, type):
        return False
    target = candidate if inspect.isfunction(candidate) or inspect.ismethod(candidate) else getattr(
        candidate, "__call__", None
    )
    if target is None or not inspect.iscoroutinefunction(target):
        return False
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False
    return len(parameters) == 3


def _link(middleware: MiddlewareFunction, inner: Endpoint) -> Endpoint:
    async def run(request: Request, response: Response) -> BaseResponse:
        produced: BaseResponse | None = None

        async def call_next() -> BaseResponse:
            nonlocal produced
            produced = await inner(request, response)
            return produced

        result = await middleware(request, response, call_next)
        if result is None:
            return produced if produced is not None else response
        if result is produced or result is response:
            return result  # type: ignore[no-any-return]
        return to_response(result, response)

    run.__qualname__ = f"middleware<{getattr(middleware, '__qualname__', type(middleware).__name__)}>"
    return run


def compose(middlewares: Sequence[MiddlewareFunction], endpoint: Endpoint) -> Endpoint:
    """Wrap ``endpoint`` so that ``middlewares[0]`` runs first. Done once, not per request."""
    handler = endpoint
    for middleware in reversed(middlewares):
        handler = _link(middleware, handler)
    return handler


__all__ = [
    "CallNext",
    "Endpoint",
    "MiddlewareFunction",
    "compose",
    "is_http_middleware",
    "to_response",
]
