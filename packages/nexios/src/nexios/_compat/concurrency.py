"""Upstream Nexios's task helpers (``nexios.utils.concurrency``): a task group that cancels what
is left on exit, a background task scoped to a block, and a value computed once on demand.

Built on anyio, like the rest of Nexios, so they work under asyncio and trio alike (upstream's
used asyncio directly).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio
import anyio.abc

_T = TypeVar("_T")


class TaskGroup:
    """Tasks started together: ``async with TaskGroup() as group: group.create_task(coro)``.

    Leaving the block cancels the tasks still running (upstream's behaviour; anyio's own task
    group would wait for them instead). An error in a task cancels the others and is raised.
    """

    def __init__(self) -> None:
        self._group: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> TaskGroup:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        group, self._group = self._group, None
        assert group is not None
        group.cancel_scope.cancel()
        return await group.__aexit__(exc_type, exc, tb)

    def create_task(self, coroutine: Coroutine[Any, Any, Any], *, name: str | None = None) -> None:
        """Run ``coroutine`` in the group."""
        if self._group is None:
            coroutine.close()
            raise RuntimeError("TaskGroup.create_task() needs `async with TaskGroup() as group:`")

        async def run() -> None:
            await coroutine

        self._group.start_soon(run, name=name)

    def cancel_all(self) -> None:
        """Cancel every task still running in the group."""
        if self._group is not None:
            self._group.cancel_scope.cancel()


@contextlib.asynccontextmanager
async def create_background_task(
    coroutine: Coroutine[Any, Any, _T], *, name: str | None = None
) -> AsyncIterator[anyio.abc.TaskGroup]:
    """Run ``coroutine`` in the background for the duration of the block; it is cancelled when
    the block exits (if still running). Yields the task group running it."""
    async with anyio.create_task_group() as group:

        async def run() -> None:
            await coroutine

        group.start_soon(run, name=name)
        try:
            yield group
        finally:
            group.cancel_scope.cancel()


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
