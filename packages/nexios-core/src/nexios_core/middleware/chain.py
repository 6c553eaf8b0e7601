"""Composing function- and class-style middleware around an endpoint, once, at start-up.

A middleware is ``async def mw(request, response, call_next)``. ``await call_next()`` runs the
rest of the chain and returns the response that will be sent. The middleware may return that
response, a replacement, anything a handler may return (a dict, a str...), or ``None``: ``None``
means "the response ``call_next`` returned", or the ``response`` builder if it never called it
(so ``response.json(..., status_code=401)`` followed by a bare ``return`` short-circuits).

``call_next(request, response)`` works too (upstream Nexios's guides write it so): every
callable a chain hands out as ``call_next`` ignores arguments after its own two.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from ..concurrency import is_async_callable
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

    A response other than the builder is also remembered on the builder (``produced``), so that
    a middleware returning ``None`` after ``await call_next()`` passes it on (see :func:`compose`).
    """
    if result is None or result is response:
        return response
    if isinstance(result, BaseResponse):
        response.produced = result
        return response.adopt(result)
    if isinstance(result, str):
        return response.text(result)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return response.send(bytes(result))
    return response.json(result)


def is_http_middleware(candidate: Any) -> bool:
    """Whether ``candidate`` is a function/class-style middleware ``(request, response, call_next)``
    rather than a raw ASGI middleware (``(scope, receive, send)``) or an ASGI middleware factory."""
    if isinstance(candidate, type) or not is_async_callable(candidate):
        return False
    try:
        parameters = list(inspect.signature(candidate).parameters)
    except (TypeError, ValueError):
        return False
    # Three parameters either way: the ASGI convention's names tell the two apart.
    return len(parameters) == 3 and parameters[0] != "scope"


# What a layer produced is recorded on the per-request builder (``Response.produced``; ``None``
# means "the builder itself"), so that ``call_next`` can be a plain ``partial`` returning the inner
# coroutine: a middleware that returns ``None`` after ``await call_next()`` gets exactly what the
# layer below produced, and one that never called it finds nothing recorded.
# PERF: two coroutine frames per layer instead of three; a frame is about 1,100 instructions per
# request on CPython 3.11 (bench/middleware_floor.py). The builder never records itself: that
# would be a reference cycle, left for the garbage collector on every request.


def _link(middleware: MiddlewareFunction, inner: Endpoint) -> Endpoint:
    async def run(request: Request, response: Response, *_: Any) -> BaseResponse:
        result = await middleware(request, response, partial(inner, request, response))
        if result is response:  # the usual case: a pass-through layer over the builder
            if response.produced is not None:
                response.produced = None
            return response  # type: ignore[no-any-return]  # narrowed to Any by `is`
        produced = response.produced
        if result is None:
            return produced if produced is not None else response
        if result is not produced:
            result = to_response(result, response)
            response.produced = None if result is response else result
        return result  # type: ignore[no-any-return]

    run.__qualname__ = f"middleware<{getattr(middleware, '__qualname__', type(middleware).__name__)}>"
    return run


def _recording(endpoint: Endpoint) -> Endpoint:
    async def innermost(request: Request, response: Response, *_: Any) -> BaseResponse:
        produced = await endpoint(request, response)
        response.produced = None if produced is response else produced
        return produced

    return innermost


def responding(endpoint: Callable[[Request, Response], Awaitable[Any]]) -> Endpoint:
    """``endpoint`` (a handler, whatever it returns) as an :data:`Endpoint` whose result is always
    a response, recorded for the chain as :func:`to_response` records it: what a middleware
    chain wraps, so that ``await call_next()`` always gives a response."""

    async def produce(request: Request, response: Response, *_: Any) -> BaseResponse:
        result = await endpoint(request, response)
        return result if result is response else to_response(result, response)

    return produce


def compose(
    middlewares: Sequence[MiddlewareFunction], endpoint: Endpoint, *, endpoint_records: bool = False
) -> Endpoint:
    """Wrap ``endpoint`` so that ``middlewares[0]`` runs first. Done once, not per request.

    ``endpoint_records=True`` says that ``endpoint`` returns either the builder or a response
    that :func:`to_response` has recorded, which saves a wrapper frame per request.
    """
    if not middlewares:
        return endpoint
    handler = endpoint if endpoint_records else _recording(endpoint)
    for middleware in reversed(middlewares):
        handler = _link(middleware, handler)
    return handler


__all__ = [
    "CallNext",
    "Endpoint",
    "MiddlewareFunction",
    "compose",
    "is_http_middleware",
    "responding",
    "to_response",
]
