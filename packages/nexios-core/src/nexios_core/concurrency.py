"""Running blocking code without stalling the event loop, and waiting on several tasks."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
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


async def run_until_first_complete(*calls: tuple[Callable[..., Awaitable[Any]], dict[str, Any]]) -> None:
    """Run ``(func, kwargs)`` pairs concurrently until one returns, then cancel the others."""
    async with anyio.create_task_group() as group:

        async def run(func: Callable[..., Awaitable[Any]], kwargs: dict[str, Any]) -> None:
            await func(**kwargs)
            group.cancel_scope.cancel()

        for func, kwargs in calls:
            group.start_soon(run, func, kwargs)


async def iterate_in_threadpool(iterable: Iterable[_T]) -> AsyncIterator[_T]:
    """Iterate a blocking iterator from async code, one ``next()`` per worker-thread call."""
    iterator = iter(iterable)
    done = object()
    while True:
        item = await anyio.to_thread.run_sync(next, iterator, done)
        if item is done:
            return
        yield item  # type: ignore[misc]  # not `done`, so an item of the iterable


__all__ = ["gather", "is_async_callable", "iterate_in_threadpool", "run_in_threadpool", "run_until_first_complete"]
