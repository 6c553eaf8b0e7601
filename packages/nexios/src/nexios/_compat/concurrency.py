"""Upstream Nexios's task helpers (``nexios.utils.concurrency``): a task group that cancels what
is left on exit, a background task scoped to a block, and a value computed once on demand.

The task group and the background task hand out ``asyncio.Task`` objects, as upstream's do
(its guide awaits them), so they need asyncio; ``AsyncLazy`` is built on anyio.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio

_T = TypeVar("_T")


class TaskGroup:
    """Tasks started together: ``async with TaskGroup() as group: task = group.create_task(coro)``.

    ``create_task`` returns the ``asyncio.Task`` (await it for its result, as upstream's guide
    does). Leaving the block cancels the tasks still running (upstream's behaviour; anyio's and
    asyncio's own task groups would wait for them instead). A task that fails cancels the others,
    and its error is raised on leaving the block unless another error is already on its way out.
    The group works without ``async with`` too: call :meth:`cancel_all` when done.
    """

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()
        self._errors: list[BaseException] = []

    async def __aenter__(self) -> TaskGroup:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.cancel_all()
        if exc is None and self._errors:
            raise self._errors[0]

    def create_task(self, coroutine: Coroutine[Any, Any, _T], *, name: str | None = None) -> asyncio.Task[_T]:
        """Run ``coroutine`` in the group; returns its task."""
        task = asyncio.ensure_future(coroutine)
        if name is not None:
            task.set_name(name)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        self._errors.append(task.exception())  # type: ignore[arg-type]
        for other in self.tasks:
            if not other.done():
                other.cancel()

    def cancel_all(self) -> asyncio.Future[list[Any]]:
        """Cancel every task still running in the group. Await the result to wait until they
        have stopped (upstream awaited it; calling it without ``await`` cancels all the same)."""
        for task in self.tasks:
            if not task.done():
                task.cancel()
        return asyncio.gather(*self.tasks, return_exceptions=True)


class _BackgroundTask(Generic[_T]):
    """What :func:`create_background_task` returns: ``async with`` it for a task scoped to the
    block, or ``await`` it for the coroutine's result (upstream's tests use both)."""

    def __init__(self, coroutine: Coroutine[Any, Any, _T], name: str | None) -> None:
        self.task: asyncio.Task[_T] = asyncio.ensure_future(coroutine)
        if name is not None:
            self.task.set_name(name)

    async def __aenter__(self) -> asyncio.Task[_T]:
        return self.task

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.task.done():
            self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    def __await__(self) -> Generator[Any, None, _T]:
        return self.task.__await__()


def create_background_task(coroutine: Coroutine[Any, Any, _T], *, name: str | None = None) -> _BackgroundTask[_T]:
    """Start ``coroutine`` as a task now. ``async with create_background_task(coro) as task:``
    yields the ``asyncio.Task`` and cancels it when the block exits (if still running);
    ``await create_background_task(coro)`` waits for its result. Needs a running event loop."""
    return _BackgroundTask(coroutine, name)


class AsyncLazy(Generic[_T]):
    """A value computed by ``await func()`` the first time :meth:`get` is awaited, then kept;
    concurrent callers wait for the same computation. :meth:`reset` forgets it."""

    def __init__(self, func: Callable[[], Awaitable[_T]]) -> None:
        self.func = func
        self._lock = anyio.Lock()
        self._done = False
        self._value: _T | None = None

    async def get(self) -> _T:
        """The value, computing it on first use."""
        if not self._done:
            async with self._lock:
                if not self._done:
                    self._value = await self.func()
                    self._done = True
        return self._value  # type: ignore[return-value]

    def reset(self) -> None:
        """Forget the value; the next :meth:`get` computes it again."""
        self._done = False
        self._value = None


__all__ = ["AsyncLazy", "TaskGroup", "create_background_task"]
