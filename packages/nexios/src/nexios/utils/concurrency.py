"""``nexios.utils.concurrency``: run blocking code in threads, gather tasks, and upstream Nexios's
task helpers (``TaskGroup``, ``create_background_task``, ``AsyncLazy``)."""

from nexios_core import gather, iterate_in_threadpool, run_in_threadpool, run_until_first_complete

from .._compat.concurrency import AsyncLazy, TaskGroup, create_background_task

__all__ = [
    "AsyncLazy",
    "TaskGroup",
    "create_background_task",
    "gather",
    "iterate_in_threadpool",
    "run_in_threadpool",
    "run_until_first_complete",
]
