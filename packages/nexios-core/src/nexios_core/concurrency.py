"""Running blocking code without stalling the event loop, and waiting on several tasks."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import anyio
import anyio.to_thread

_T = TypeVar("_T")


def is_async_callable(obj: Any) -> bool:
    """Whether calling ``obj`` returns a coroutine: an ``async def`` function (also behind
    ``functools.partial``) or an instance whose class defines ``async def __call__``."""
    if inspect.iscoroutinefunction(obj):
        return True
    return callable(obj) and not isinstance(obj, type) and inspect.iscoroutinefunction(type(obj).__call__)


async def run_in_threadpool(func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call the blocking ``func(*args, **kwargs)`` in a worker thread and await its result."""
    return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs))


async def run_sync_handler(
    func: Callable[..., _T], args: Sequence[Any], kwargs: Mapping[str, Any],
    limiter: anyio.CapacityLimiter | None = None,
) -> _T:
    """Call a plain ``def`` handler in a worker thread (at most ``limiter``'s tokens at once;
    ``None``: anyio's default limiter) and await its result. In the thread, ``current_app()``
    and ``current_request()`` answer as they do in an async handler, so upstream-style helpers
    (``response.paginate``, ``ChannelBox``) work there too."""
    from .current_app import (
        current_app,
        current_request,
        reset_current_app,
        reset_current_request,
        set_current_app,
        set_current_request,
    )

    app, request = current_app(), current_request()

    def call() -> _T:
        # The thread runs in a copy of this task's context: these values end with the call.
        app_token, request_token = set_current_app(app), set_current_request(request)
        try:
            return func(*args, **kwargs)
        finally:
            reset_current_request(request_token)
            reset_current_app(app_token)

    return await anyio.to_thread.run_sync(call, limiter=limiter)


async def gather(*awaitables: Awaitable[Any]) -> list[Any]:
    """Run awaitables concurrently and return their results in order; the first error cancels
    the rest and is raised."""
    results: list[Any] = [None] * len(awaitables)

    async def run(index: int, awaitable: Awaitable[Any]) -> None:
        results[index] = await awaitable

    async with anyio.create_task_group() as group:
        for index, awaitable in enumerate(awaitables):
            group.start_soon(run, index, awaitable)
    return results


async def run_until_first_complete(
    *calls: Callable[[], Awaitable[Any]] | tuple[Callable[..., Awaitable[Any]], Mapping[str, Any]],
) -> Any:
    """Run ``calls`` concurrently until one returns, cancel the others, and return what the
    first one returned. Each call is an async function taking no arguments, or a
    ``(func, kwargs)`` pair. An error in any of them cancels the rest and is raised."""
    if not calls:
        raise ValueError("run_until_first_complete needs at least one call")
    first: list[Any] = []
    async with anyio.create_task_group() as group:

        async def run(func: Callable[..., Awaitable[Any]], kwargs: Mapping[str, Any]) -> None:
            result = await func(**kwargs)
            if not first:
                first.append(result)
                group.cancel_scope.cancel()

        for call in calls:
            func, kwargs = call if isinstance(call, tuple) else (call, {})
            group.start_soon(run, func, kwargs)
    return first[0] if first else None


async def iterate_in_threadpool(iterable: Iterable[_T]) -> AsyncIterator[_T]:
    """Iterate a blocking iterator from async code, one ``next()`` per worker-thread call."""
    iterator = iter(iterable)
    done = object()
    while True:
        item = await anyio.to_thread.run_sync(next, iterator, done)
        if item is done:
            return
        yield item  # type: ignore[misc]  # not `done`, so an item of the iterable


__all__ = [
    "gather",
    "is_async_callable",
    "iterate_in_threadpool",
    "run_in_threadpool",
    "run_sync_handler",
    "run_until_first_complete",
]
