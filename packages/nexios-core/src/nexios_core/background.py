"""Work scheduled to run after the response has been sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread

from .concurrency import is_async_callable


class BackgroundTask:
    """Call ``func(*args, **kwargs)`` after the response; sync functions run in a worker thread."""

    __slots__ = ("func", "args", "kwargs", "_is_async")

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self._is_async = is_async_callable(func)

    async def __call__(self) -> None:
        if self._is_async:
            await self.func(*self.args, **self.kwargs)
        else:
            await anyio.to_thread.run_sync(lambda: self.func(*self.args, **self.kwargs))


class BackgroundTasks(BackgroundTask):
    """An ordered list of tasks, run one after another."""

    __slots__ = ("tasks",)

    def __init__(self, tasks: list[BackgroundTask] | None = None) -> None:
        self.tasks: list[BackgroundTask] = list(tasks or ())

    def add_task(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Schedule ``func(*args, **kwargs)``."""
        self.tasks.append(BackgroundTask(func, *args, **kwargs))

    async def __call__(self) -> None:
        for task in self.tasks:
            await task()


__all__ = ["BackgroundTask", "BackgroundTasks"]
