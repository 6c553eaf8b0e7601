"""Carrying chosen application events to the listeners of every worker, through a transport.

``app.events.fan_out("cache.*")`` makes a :class:`FanOut`. Emitting a chosen event then runs the
emitting worker's listeners as usual and publishes ``{"origin", "event", "args", "kwargs"}`` (JSON)
on the transport's topic; every worker subscribed at start-up runs its own listeners for events
that another worker published. The origin id keeps a worker from running its listeners twice
(an in-process transport delivers to the publisher too).

A message from the transport is not trusted blindly: it must be a JSON object of the right shape,
smaller than :data:`MAX_EVENT_MESSAGE_SIZE`, naming a valid event this app fans out; anything
else is logged and dropped. Received events run in order in one background task, behind a
bounded queue, so a slow listener never holds up the transport (which carries WebSocket group
messages too); when the queue is full, new events are dropped with a warning.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import jsoncodec
from .channels import ChannelLayerUnavailable
from .events import check_event_name
from .exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .channels import Subscription, Transport
    from .events import AsyncEventEmitter

logger = logging.getLogger("nexios.events")

MAX_EVENT_MESSAGE_SIZE = 64 * 1024
"""Largest encoded event (name and arguments) sent to or accepted from the transport, in bytes."""
MAX_QUEUED_EVENTS = 1000
"""Received events waiting for their listeners; more are dropped (and logged)."""
_RESUBSCRIBE_DELAY = (0.1, 5.0)  # first and longest wait between subscription attempts


class FanOut:
    """Which events of one emitter reach every worker, and the subscription that receives them."""

    def __init__(self, emitter: AsyncEventEmitter, topic: str, transport: Transport | None) -> None:
        self.emitter = emitter
        self.topic = topic
        self.transport = transport
        self.patterns: list[str] = []
        self.origin = uuid.uuid4().hex
        """This worker's id, sent with every event it publishes."""
        self._subscription: Subscription | None = None
        self._queue: asyncio.Queue[tuple[str, list[Any], dict[str, Any]]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._subscriber: asyncio.Task[None] | None = None

    def add(self, events: Iterable[str], transport: Transport | None, topic: str) -> None:
        """Fan out ``events`` too (one transport and topic per emitter)."""
        if transport is not None and self.transport is not None and transport is not self.transport:
            raise ImproperlyConfigured("app.events fans out through one transport; pass the same one each time")
        if topic != self.topic:
            raise ImproperlyConfigured(f"app.events fans out on one topic ({self.topic!r}), not also {topic!r}")
        if transport is not None:
            self.transport = transport
        self.patterns.extend(pattern for pattern in events if pattern not in self.patterns)

    def covers(self, event: str) -> bool:
        """Whether ``event`` is one of the fanned-out events."""
        return any(fnmatch.fnmatchcase(event, pattern) for pattern in self.patterns)

    # ---------------------------------------------------------------- the app's lifespan
    async def start(self, default_transport: Transport | None) -> None:
        """Subscribe (at start-up): on ``transport`` if one was given, else ``default_transport``
        (the app's channel layer transport)."""
        if self._subscription is not None or self._subscriber is not None:
            return
        if self.transport is None:
            self.transport = default_transport
        if self.transport is None:
            raise ImproperlyConfigured("app.events.fan_out(...) needs a transport: the app's channel layer has none")
        loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue(MAX_QUEUED_EVENTS)
        self._worker = loop.create_task(self._run_received())
        try:
            self._subscription = await self.transport.subscribe(self.topic, self._receive)
        except ChannelLayerUnavailable as exc:
            # The broker is down while the app starts: the app starts anyway (as its channel
            # layer does) and subscribes as soon as the broker is back.
            logger.warning("app.events cannot receive events from other workers yet (%s); retrying", exc.detail)
            self._subscriber = loop.create_task(self._subscribe_later())

    async def _subscribe_later(self) -> None:
        delay = _RESUBSCRIBE_DELAY[0]
        while self._subscription is None and self.transport is not None:
            await asyncio.sleep(delay)
            try:
                self._subscription = await self.transport.subscribe(self.topic, self._receive)
            except ChannelLayerUnavailable:
                delay = min(delay * 2, _RESUBSCRIBE_DELAY[1])
            except Exception:
                logger.exception("app.events could not subscribe to %r", self.topic)
                return
        logger.warning("app.events receives events from other workers again")

    async def stop(self) -> None:
        """Unsubscribe and stop running received events (at shutdown)."""
        subscriber, self._subscriber = self._subscriber, None
        if subscriber is not None:
            subscriber.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await subscriber
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
        worker, self._worker = self._worker, None
        self._queue = None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    # ---------------------------------------------------------------- sending
    async def publish(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, Exception | None]:
        """Publish ``event`` for the other workers: ``(subscriptions reached, error)``. Arguments
        that JSON cannot carry, or too many bytes of them, raise before anything runs."""
        try:
            message = jsoncodec.dumps({"origin": self.origin, "event": event, "args": list(args), "kwargs": kwargs})
        except (TypeError, ValueError) as exc:
            raise TypeError(f"The arguments of {event!r} go to other workers as JSON, and cannot: {exc}") from exc
        if len(message) > MAX_EVENT_MESSAGE_SIZE:
            raise ValueError(
                f"Event {event!r} is {len(message)} bytes as JSON, over the {MAX_EVENT_MESSAGE_SIZE}-byte limit "
                "for events sent to other workers: send an id, not the data"
            )
        if self.transport is None or self._queue is None:
            return 0, None  # the app has not started: nobody else can be listening through it yet
        try:
            return await self.transport.publish(self.topic, message), None
        except Exception as exc:  # the broker is down: this worker's listeners still run
            logger.error("Event %r was not published to the other workers: %s", event, exc)
            return 0, exc

    # ---------------------------------------------------------------- receiving
    async def _receive(self, message: bytes) -> None:
        decoded = self._decode(message)
        if decoded is None or self._queue is None:
            return
        try:
            self._queue.put_nowait(decoded)
        except asyncio.QueueFull:
            logger.warning("Dropped event %r from another worker: %d events are waiting", decoded[0],
                           MAX_QUEUED_EVENTS)

    def _decode(self, message: bytes) -> tuple[str, list[Any], dict[str, Any]] | None:
        if len(message) > MAX_EVENT_MESSAGE_SIZE:
            logger.warning("Dropped an event message of %d bytes from the transport", len(message))
            return None
        try:
            data = jsoncodec.loads(message, max_depth=64)
            event = check_event_name(data["event"])
            origin, args, kwargs = data["origin"], data["args"], data["kwargs"]
            if not (isinstance(args, list) and isinstance(kwargs, dict) and isinstance(origin, str)):
                raise TypeError("malformed")
        except Exception as exc:  # not JSON, not an object, a field missing, an invalid name
            logger.warning("Dropped a malformed event message from the transport: %s", type(exc).__name__)
            return None
        if origin == self.origin or not self.covers(event):
            return None  # ours (already run here), or not an event this app fans out
        if not all(isinstance(key, str) and key.isidentifier() for key in kwargs):
            logger.warning("Dropped event %r from the transport: its keyword names are not identifiers", event)
            return None
        return event, args, kwargs

    async def _run_received(self) -> None:
        queue = self._queue
        assert queue is not None
        while True:
            event, args, kwargs = await queue.get()
            try:
                await self.emitter.run_listeners(event, tuple(args), kwargs)
            except Exception:  # EventCancelledError: the rest of this event's listeners skipped
                pass


__all__ = ["MAX_EVENT_MESSAGE_SIZE", "MAX_QUEUED_EVENTS", "FanOut"]
