"""``nexios.utils.concurrency``: run blocking code in threads, gather tasks."""

from nexios_core import gather, iterate_in_threadpool, run_in_threadpool, run_until_first_complete

__all__ = ["gather", "iterate_in_threadpool", "run_in_threadpool", "run_until_first_complete"]
