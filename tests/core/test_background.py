"""Background tasks: sync tasks in a worker thread, async tasks awaited, lists run in order."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from nexios_core.background import BackgroundTask, BackgroundTasks

pytestmark = pytest.mark.anyio


async def test_sync_task_runs_in_a_worker_thread_with_arguments() -> None:
    seen: dict[str, Any] = {}

    def task(a: int, *, b: str) -> None:
        seen["args"] = (a, b)
        seen["thread"] = threading.current_thread()

    await BackgroundTask(task, 1, b="two")()
    assert seen["args"] == (1, "two")
    assert seen["thread"] is not threading.main_thread()


async def test_async_task_and_async_callable_object() -> None:
    log: list[str] = []

    async def func(x: str) -> None:
        log.append(x)

    class Callable:
        async def __call__(self, x: str) -> None:
            log.append(f"obj:{x}")

    await BackgroundTask(func, "a")()
    await BackgroundTask(Callable(), "b")()
    assert log == ["a", "obj:b"]


async def test_tasks_run_in_order_and_an_error_propagates() -> None:
    log: list[int] = []
    tasks = BackgroundTasks([BackgroundTask(log.append, 1)])
    tasks.add_task(log.append, 2)

    async def three() -> None:
        log.append(3)

    tasks.add_task(three)
    await tasks()
    assert log == [1, 2, 3]

    def broken() -> None:
        raise RuntimeError("task failed")

    failing = BackgroundTasks()
    failing.add_task(broken)
    failing.add_task(log.append, 4)
    with pytest.raises(RuntimeError):
        await failing()
    assert log == [1, 2, 3]
