"""Application events: publish/subscribe inside the app, in priority order.

``EventEmitter`` is the plain emitter: ``on``/``once`` register listeners (decorator or call),
``emit`` calls them in priority order and reports what happened. ``AsyncEventEmitter`` (what every
app owns as ``app.events``) also awaits async listeners in order: ``await events.emit(...)``.

The rules both follow:

- listeners run by priority (``EventPriority.HIGHEST`` first), then in the order they were added;
- a listener's error is logged and recorded in the result, and the next listener still runs;
  raising :class:`EventCancelledError` stops the remaining listeners, and the emit raises it;
- event names are checked where they are used (non-empty text of at most
  :data:`MAX_EVENT_NAME_LENGTH` printable characters, no spaces): a name built from client input
  fails with :class:`InvalidEventName` rather than ending up in a log line; emitting an event
  nobody listens to costs nothing and keeps nothing;
- ``namespace("ui")`` gives a view whose names are prefixed with ``"ui:"``.

An app's lifecycle goes through ``app.events`` (see :data:`LIFECYCLE_EVENTS`), and chosen events
can reach the listeners of every worker through a transport (:meth:`AsyncEventEmitter.fan_out`,
implemented in :mod:`._event_fanout`).
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import itertools
import logging
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from ._event_fanout import FanOut
    from .channels import Transport

logger = logging.getLogger("nexios.events")

MAX_EVENT_NAME_LENGTH = 200
"""Longest accepted event name, namespace included."""

LIFECYCLE_EVENTS = {
    "app.startup": "the app has started (after the start-up hooks and the lifespan's start); listeners get the app",
    "app.shutdown": "the app is shutting down (before the shutdown hooks); listeners get the app",
    "request.error": "an HTTP request failed with an unhandled error (answered 500); listeners get (request, exc)",
    "websocket.error": "a WebSocket handler failed with an unhandled error (closed 1011); listeners get "
                       "(connection, exc), the connection an HTTPConnection of the handshake",
}
"""The events an app emits on its ``app.events`` by itself, with what their listeners receive."""

Listener = Callable[..., Any]
_L = TypeVar("_L", bound=Listener)


class EventPriority(enum.IntEnum):
    """The order listeners of one event run in: highest first."""

    LOWEST = 0
    LOW = 1
    NORMAL = 2
    MEDIUM = 2  # the name upstream Nexios' documentation uses for NORMAL
    HIGH = 3
    HIGHEST = 4


class EventCancelledError(Exception):
    """Raised by a listener to stop the listeners after it; ``emit`` raises it again."""


class InvalidEventName(ValueError):
    """An event name that is empty, too long, not text, or holds spaces or control characters."""


def check_event_name(name: object) -> str:
    """``name`` if it is a valid event name; raises :class:`InvalidEventName` otherwise."""
    if not isinstance(name, str):
        raise InvalidEventName(f"An event name is a str, not {type(name).__name__}")
    if not name or len(name) > MAX_EVENT_NAME_LENGTH:
        raise InvalidEventName(f"An event name has 1 to {MAX_EVENT_NAME_LENGTH} characters (got {len(name)})")
    if not name.isprintable() or any(char.isspace() for char in name):
        raise InvalidEventName(f"An event name has no spaces or control characters: {name[:40]!r}")
    return name


class _Registration:
    """One listener of one event (held weakly when asked to)."""

    __slots__ = ("target", "weak", "priority", "once", "order", "__weakref__")

    def __init__(self, func: Listener, priority: int, once: bool, order: int, weak: bool) -> None:
        self.weak = weak
        self.target: Any = (weakref.WeakMethod(func) if inspect.ismethod(func) else weakref.ref(func)) if weak else func
        self.priority = priority
        self.once = once
        self.order = order

    def function(self) -> Listener | None:
        """The listener, or ``None`` once a weakly held one has been garbage-collected."""
        return self.target() if self.weak else self.target  # type: ignore[no-any-return]

    def sort_key(self) -> tuple[int, int]:
        return -self.priority, self.order


def _new_result(cancelled: bool = False) -> dict[str, Any]:
    return {"event_id": uuid.uuid4().hex, "listeners_executed": 0, "execution_time": 0.0,
            "cancelled": cancelled, "errors": []}


class EventEmitter:
    """Listeners by event name. ``emit`` is synchronous: sync listeners run in it, async ones are
    started as tasks on the running event loop and not waited for (use
    :class:`AsyncEventEmitter` to await them)."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._listeners: dict[str, list[_Registration]] = {}
        self._order = itertools.count()
        self._background: set[asyncio.Task[Any]] = set()

    # ---------------------------------------------------------------- registering
    @overload
    def on(self, event: str, func: None = None, *, priority: int = EventPriority.NORMAL,
           weak_ref: bool = False) -> Callable[[_L], _L]: ...

    @overload
    def on(self, event: str, func: _L, *, priority: int = EventPriority.NORMAL, weak_ref: bool = False) -> _L: ...

    def on(self, event: str, func: Listener | None = None, *, priority: int = EventPriority.NORMAL,
           weak_ref: bool = False) -> Any:
        """Call ``func`` on every ``event``: ``emitter.on("x", f)`` or ``@emitter.on("x")``.
        ``weak_ref=True`` holds it weakly (it goes when its object is garbage-collected)."""
        return self._register(event, func, priority, weak_ref, once=False)

    @overload
    def once(self, event: str, func: None = None, *, priority: int = EventPriority.NORMAL,
             weak_ref: bool = False) -> Callable[[_L], _L]: ...

    @overload
    def once(self, event: str, func: _L, *, priority: int = EventPriority.NORMAL, weak_ref: bool = False) -> _L: ...

    def once(self, event: str, func: Listener | None = None, *, priority: int = EventPriority.NORMAL,
             weak_ref: bool = False) -> Any:
        """Like :meth:`on`, for the next ``event`` only."""
        return self._register(event, func, priority, weak_ref, once=True)

    def _register(self, event: str, func: Listener | None, priority: int, weak: bool, once: bool) -> Any:
        check_event_name(event)

        def register(listener: _L) -> _L:
            if not callable(listener):
                raise TypeError(f"An event listener must be callable, got {listener!r}")
            registration = _Registration(listener, int(priority), once, next(self._order), weak)
            registered = self._listeners.setdefault(event, [])
            registered.append(registration)
            registered.sort(key=_Registration.sort_key)
            return listener

        return register if func is None else register(func)

    def remove_listener(self, event: str, func: Listener) -> bool:
        """Stop calling ``func`` on ``event``; returns whether it was registered."""
        registered = self._listeners.get(event)
        if not registered:
            return False
        kept = [item for item in registered if item.function() not in (func, None)]
        removed = len(kept) != len(registered)
        self._store(event, kept)
        return removed

    def off(self, event: str, func: Listener | None = None) -> None:
        """Remove ``func`` from ``event``, or every listener of ``event`` without ``func``."""
        if func is None:
            self._listeners.pop(event, None)
        else:
            self.remove_listener(event, func)

    def remove_all_listeners(self, event: str | None = None) -> None:
        """Forget the listeners of ``event``, or of every event."""
        if event is None:
            self._listeners.clear()
        else:
            self._listeners.pop(event, None)

    def listeners(self, event: str) -> list[Listener]:
        """The listeners of ``event`` in the order they run."""
        return [func for item in self._listeners.get(event, ()) if (func := item.function()) is not None]

    def listener_count(self, event: str) -> int:
        """How many listeners ``event`` has."""
        return len(self.listeners(event))

    def event_names(self) -> list[str]:
        """The events that have listeners."""
        return [name for name in self._listeners if self.listener_count(name)]

    def namespace(self, prefix: str) -> EventNamespace:
        """A view of this emitter whose event names are prefixed with ``"<prefix>:"``."""
        return EventNamespace(self, check_event_name(prefix))

    def _store(self, event: str, registered: list[_Registration]) -> None:
        if registered:
            self._listeners[event] = registered
        else:
            self._listeners.pop(event, None)

    def _due(self, event: str) -> list[Listener]:
        # This emit's listeners, in order; `once` ones are removed before any of them runs, so
        # a listener emitting the same event again does not call them twice.
        registered = self._listeners.get(event)
        if not registered:
            return []
        due: list[Listener] = []
        kept: list[_Registration] = []
        for item in registered:
            func = item.function()
            if func is None:
                continue
            due.append(func)
            if not item.once:
                kept.append(item)
        if len(kept) != len(registered):
            self._store(event, kept)
        return due

    # ---------------------------------------------------------------- emitting
    def emit(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """Call the listeners of ``event`` with ``*args, **kwargs``; returns ``{"event_id",
        "listeners_executed", "execution_time", "cancelled", "errors"}``. Async listeners are
        started as tasks (their errors are logged), which needs a running event loop."""
        check_event_name(event)
        started = time.perf_counter()
        result = _new_result()
        for func in self._due(event):
            result["listeners_executed"] += 1
            try:
                outcome = func(*args, **kwargs)
            except EventCancelledError:
                result["cancelled"] = True
                raise
            except Exception as exc:
                _log_failure(event, func, exc)
                result["errors"].append(exc)
            else:
                if inspect.isawaitable(outcome):
                    self._in_background(outcome, event)  # no event loop: a mistake, raised
        result["execution_time"] = time.perf_counter() - started
        return result

    def _in_background(self, awaitable: Awaitable[Any], event: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # never started: no "was never awaited" warning
            raise RuntimeError(
                f"An async listener of {event!r} needs a running event loop: emit from async code, "
                "or use an AsyncEventEmitter and `await emitter.emit(...)`"
            ) from None
        task = loop.create_task(_logged(awaitable, event))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def wait_background(self, timeout: float | None = None) -> bool:
        """Wait for listeners still running in the background (at most ``timeout`` seconds);
        returns whether they all finished. The app calls it at shutdown."""
        pending = set(self._background)
        if not pending:
            return True
        _, still_running = await asyncio.wait(pending, timeout=timeout)
        return not still_running

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, events={sorted(self._listeners)})"


class AsyncEventEmitter(EventEmitter):
    """An emitter whose ``emit`` awaits each listener in turn when awaited
    (``await events.emit("order.paid", order)``). Not awaited, it runs in the background as
    ``EventEmitter.emit`` would, in order still. ``await emit_async(...)`` is the explicit form.
    Every app has one: ``app.events``."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self.fanout: FanOut | None = None
        """Set by :meth:`fan_out`: which events reach the listeners of every worker."""

    def emit(self, event: str, *args: Any, **kwargs: Any) -> Emission:
        """Start the listeners of ``event``; await what this returns for the result (see
        :meth:`EventEmitter.emit`). Without an event loop only sync listeners can run."""
        check_event_name(event)
        if not self._listeners.get(event) and (self.fanout is None or not self.fanout.covers(event)):
            return Emission.finished(_new_result())
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if any(inspect.iscoroutinefunction(func) for func in self.listeners(event)):
                raise RuntimeError(
                    f"Listeners of {event!r} are async: emit it from async code (await emitter.emit(...))"
                ) from None
            return Emission.finished(EventEmitter.emit(self, event, *args, **kwargs))
        return Emission(self, loop, event, args, kwargs)

    async def emit_async(self, event: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Await the listeners of ``event`` one after the other; returns the result mapping.
        An event chosen with :meth:`fan_out` is also published to the other workers."""
        check_event_name(event)
        fanout = self.fanout
        if fanout is not None and fanout.covers(event):
            published, failure = await fanout.publish(event, args, kwargs)
            result = await self.run_listeners(event, args, kwargs)
            result["published_to"] = published
            if failure is not None:
                result["errors"].append(failure)
            return result
        return await self.run_listeners(event, args, kwargs)

    async def run_listeners(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Await this process's listeners of ``event`` (what :meth:`emit_async` does, without
        publishing: the fan-out calls it for events other workers published)."""
        due = self._due(event)
        result = _new_result()
        if not due:
            return result
        started = time.perf_counter()
        for func in due:
            try:
                outcome = func(*args, **kwargs)
                if inspect.isawaitable(outcome):
                    await outcome
            except EventCancelledError:
                result["cancelled"] = True
                raise
            except Exception as exc:
                _log_failure(event, func, exc)
                result["errors"].append(exc)
            finally:
                result["listeners_executed"] += 1
        result["execution_time"] = time.perf_counter() - started
        return result

    def fan_out(self, *events: str, transport: Transport | None = None, topic: str = "nexios.events") -> None:
        """Deliver the events named (``fnmatch`` patterns: ``"cache.*"``) to the listeners of
        every worker: the emitting one runs its listeners as usual, and the event is published
        on ``transport`` (default: the app's ``channel_layer.transport``, which reaches every
        worker with a ``RedisChannelLayer``) for the others. Arguments must be JSON-serialisable.
        The app subscribes at start-up; see :mod:`nexios_core._event_fanout`."""
        from ._event_fanout import FanOut

        for pattern in events:
            check_event_name(pattern)
        if self.fanout is None:
            self.fanout = FanOut(self, topic, transport)
        self.fanout.add(events, transport, topic)


class Emission:
    """What :meth:`AsyncEventEmitter.emit` returns. Awaited right away, the listeners run in the
    awaiting task (they see its context: the current app, the request); not awaited, they run
    in a task of their own from the next turn of the event loop."""

    __slots__ = ("_emitter", "_event", "_args", "_kwargs", "_claimed", "_task", "_result")

    def __init__(self, emitter: AsyncEventEmitter | None, loop: asyncio.AbstractEventLoop | None, event: str,
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._emitter, self._event, self._args, self._kwargs = emitter, event, args, kwargs
        self._claimed = emitter is None
        self._task: asyncio.Task[dict[str, Any]] | None = None
        self._result: dict[str, Any] | None = None
        if loop is not None:
            loop.call_soon(self._start_in_background)

    @classmethod
    def finished(cls, result: dict[str, Any]) -> Emission:
        """An emission that already happened (nothing to run, or only sync listeners)."""
        emission = cls(None, None, "", (), {})
        emission._result = result
        return emission

    def _start_in_background(self) -> None:
        if self._claimed or self._emitter is None:
            return
        self._claimed = True
        emitter = self._emitter
        self._task = asyncio.get_running_loop().create_task(
            _logged(emitter.emit_async(self._event, *self._args, **self._kwargs), self._event)
        )
        emitter._background.add(self._task)
        self._task.add_done_callback(emitter._background.discard)

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        if self._result is not None:
            return self._result
        if not self._claimed and self._emitter is not None:
            self._claimed = True
            self._result = yield from self._emitter.emit_async(self._event, *self._args, **self._kwargs).__await__()
            return self._result
        assert self._task is not None
        return (yield from self._task.__await__())


async def _logged(awaitable: Awaitable[Any], event: str) -> Any:
    try:
        return await awaitable
    except EventCancelledError:
        return None
    except Exception as exc:
        _log_failure(event, awaitable, exc)
        return None


def _log_failure(event: str, listener: Any, exc: BaseException) -> None:
    name = getattr(listener, "__qualname__", None) or type(listener).__name__
    logger.error("Listener %s of event %r failed: %s: %s", name, event, type(exc).__name__, exc, exc_info=exc)


class EventNamespace:
    """Names prefixed with ``"<prefix>:"`` on an emitter: ``ui.on("click")`` listens to
    ``"ui:click"``, which ``ui.emit("click")`` and ``emitter.emit("ui:click")`` both reach."""

    def __init__(self, emitter: EventEmitter, prefix: str) -> None:
        self.emitter = emitter
        self.prefix = prefix

    def full_name(self, event: str) -> str:
        """``"<prefix>:<event>"``."""
        return f"{self.prefix}:{event}"

    def on(self, event: str, func: Listener | None = None, **options: Any) -> Any:
        """:meth:`EventEmitter.on` within the namespace."""
        return self.emitter.on(self.full_name(event), func, **options)

    def once(self, event: str, func: Listener | None = None, **options: Any) -> Any:
        """:meth:`EventEmitter.once` within the namespace."""
        return self.emitter.once(self.full_name(event), func, **options)

    def off(self, event: str, func: Listener | None = None) -> None:
        """:meth:`EventEmitter.off` within the namespace."""
        self.emitter.off(self.full_name(event), func)

    def remove_listener(self, event: str, func: Listener) -> bool:
        """:meth:`EventEmitter.remove_listener` within the namespace."""
        return self.emitter.remove_listener(self.full_name(event), func)

    def emit(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """:meth:`EventEmitter.emit` within the namespace."""
        return self.emitter.emit(self.full_name(event), *args, **kwargs)

    async def emit_async(self, event: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """:meth:`AsyncEventEmitter.emit_async` within the namespace."""
        if not isinstance(self.emitter, AsyncEventEmitter):
            raise TypeError("emit_async needs an AsyncEventEmitter")
        return await self.emitter.emit_async(self.full_name(event), *args, **kwargs)

    def namespace(self, prefix: str) -> EventNamespace:
        """A namespace inside this one (``"<prefix>:<inner>:"``)."""
        return EventNamespace(self.emitter, self.full_name(check_event_name(prefix)))


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
    "check_event_name",
]
