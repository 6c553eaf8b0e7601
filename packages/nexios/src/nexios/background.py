"""``nexios.background``: tasks run after the response is sent."""

from nexios_core import BackgroundTask, BackgroundTasks

__all__ = ["BackgroundTask", "BackgroundTasks"]
