"""``nexios.events``: application events (see ``docs/events.md``).

Every app has ``app.events`` (an :class:`AsyncEventEmitter`); make more emitters for parts of an
app. ``app.events.fan_out("cache.*")`` carries chosen events to the listeners of every worker.
"""

from nexios_core.events import (
    LIFECYCLE_EVENTS,
    MAX_EVENT_NAME_LENGTH,
    AsyncEventEmitter,
    Emission,
    EventCancelledError,
    EventEmitter,
    EventNamespace,
    EventPriority,
    InvalidEventName,
)

__all__ = [
    "LIFECYCLE_EVENTS",
    "MAX_EVENT_NAME_LENGTH",
    "AsyncEventEmitter",
    "Emission",
    "EventCancelledError",
    "EventEmitter",
    "EventNamespace",
    "EventPriority",
    "InvalidEventName",
]
