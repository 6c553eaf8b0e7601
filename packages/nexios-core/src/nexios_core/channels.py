"""Channels and groups: send one message to many WebSocket connections.

A :class:`Channel` is one connection seen as a destination. A channel layer keeps named groups
of channels and delivers a payload to every member. :class:`ChannelLayer` is the seam: each app
has one (``App(channel_layer=...)``, ``app.channel_layer``). The default
:class:`InMemoryChannelLayer` reaches the connections of this process; a layer backed by a broker
(:class:`~nexios_core.redis_channels.RedisChannelLayer`) implements the same protocol and reaches
the connections of every worker.

A layer also carries a :class:`Transport`: plain publish/subscribe of bytes on named topics, in
this process or across workers, for other features that need to fan out (application events).

:class:`~nexios_core.channel_box.ChannelBox` (also importable from here) is the upstream-style
facade: class methods that work on the channel layer of the app handling the current request.
"""

from __future__ import annotations

import collections
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol, runtime_checkable

from . import jsoncodec
from ._channel_delivery import DEFAULT_SEND_TIMEOUT, deliver
from .exceptions import BadRequest, NexiosError, PayloadTooLarge, ServiceUnavailable, WebSocketException
from .websocket import WebSocket, WebSocketState

PayloadType = Literal["text", "bytes", "json"]

MAX_GROUP_NAME_LENGTH = 256
"""Group names are often taken from a URL (``/chat/{room}``): longer ones are refused."""


# ---------------------------------------------------------------------------------------- errors
class ChannelLayerError(NexiosError):
    """Base class of the errors a channel layer raises on purpose."""


class ChannelLayerUnavailable(ChannelLayerError, ServiceUnavailable, WebSocketException):
    """The layer's broker (Redis) cannot be reached: the operation did not happen (or, when it
    timed out on a broker that took the command and then stalled, may still happen once the
    broker resumes: delivery is at most once, never confirmed).

    Raised promptly (operations have bounded timeouts, and fail at once while the layer knows the
    broker is down) so a request never hangs on it. Left uncaught it answers for itself: an HTTP
    request gets **503** with ``Retry-After``; a WebSocket is closed with **1013** (try again
    later).
    """

    def __init__(self, detail: str = "The channel layer is unavailable", retry_after: int = 5) -> None:
        ServiceUnavailable.__init__(self, detail=detail, headers={"Retry-After": str(retry_after)})
        self.code = 1013
        self.reason = "Channel layer unavailable"


class ChannelMessageTooLarge(ChannelLayerError, ValueError, PayloadTooLarge, WebSocketException):
    """A group message (or one sent to a channel) is bigger than the layer's
    ``max_message_size``; nothing was sent. Often the size comes from what a client sent, so left
    uncaught it answers **413**, or closes a WebSocket with **1009** (message too big)."""

    def __init__(self, detail: str) -> None:
        PayloadTooLarge.__init__(self, detail=detail)
        self.code = 1009
        self.reason = "Message too big"


class InvalidGroupName(ChannelLayerError, ValueError, BadRequest, WebSocketException):
    """A group name that is empty, not a str, or longer than :data:`MAX_GROUP_NAME_LENGTH`.
    Group names often come from a URL, so left uncaught it answers **400**, or closes a WebSocket
    with **1008**."""

    def __init__(self, detail: str) -> None:
        BadRequest.__init__(self, detail=detail)
        self.code = 1008
        self.reason = "Invalid group name"


def check_group_name(group: str) -> None:
    """Refuse (:class:`InvalidGroupName`) a group name that is not a non-empty str of at most
    :data:`MAX_GROUP_NAME_LENGTH` characters that can be encoded as UTF-8."""
    if not isinstance(group, str) or not group:
        raise InvalidGroupName(f"A group name is a non-empty str, not {type(group).__name__} {str(group)[:20]!r}")
    if len(group) > MAX_GROUP_NAME_LENGTH:
        raise InvalidGroupName(f"Group names are at most {MAX_GROUP_NAME_LENGTH} characters, got {len(group)}")
    try:  # a broker needs the name as UTF-8: a lone surrogate would fail there (a 500), not here
        group.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidGroupName("A group name is text: it cannot hold a lone surrogate") from None


# ---------------------------------------------------------------------------------------- channel
class Channel:
    """One WebSocket connection as a destination for group messages.

    ``payload_type`` decides how :meth:`send` frames a payload: ``"json"`` (any JSON-able value,
    the default), ``"text"`` (str) or ``"bytes"``. With ``expires`` (seconds), the channel is
    dropped from its groups once that long has passed since it was created.
    """

    __slots__ = ("websocket", "payload_type", "id", "created", "expires")

    def __init__(
        self,
        websocket: WebSocket,
        payload_type: PayloadType = "json",
        expires: float | None = None,
    ) -> None:
        if payload_type not in ("text", "bytes", "json"):
            raise ValueError(f"payload_type must be 'text', 'bytes' or 'json', not {payload_type!r}")
        self.websocket = websocket
        self.payload_type: PayloadType = payload_type
        self.id = uuid.uuid4().hex
        self.created = time.monotonic()
        self.expires = expires

    @property
    def uuid(self) -> uuid.UUID:
        """The channel's id as a UUID (the upstream name; :attr:`id` is its hex string)."""
        return uuid.UUID(self.id)

    @property
    def is_expired(self) -> bool:
        """Whether ``expires`` seconds have passed since the channel was created."""
        return self.expires is not None and time.monotonic() - self.created >= self.expires

    @property
    def is_closed(self) -> bool:
        """Whether the connection has ended on either side."""
        websocket = self.websocket
        return (websocket.client_state is WebSocketState.DISCONNECTED
                or websocket.application_state is WebSocketState.DISCONNECTED)

    async def send(self, payload: Any) -> None:
        """Send ``payload`` framed according to ``payload_type``."""
        if self.payload_type == "json":
            await self.websocket.send_json(payload)
        elif self.payload_type == "text":
            if not isinstance(payload, str):
                raise TypeError(f"A text channel sends str, not {type(payload).__name__}")
            await self.websocket.send_text(payload)
        else:
            if not isinstance(payload, (bytes, bytearray, memoryview)):
                raise TypeError(f"A bytes channel sends bytes, not {type(payload).__name__}")
            await self.websocket.send_bytes(bytes(payload))

    def __repr__(self) -> str:
        return f"<Channel {self.id} {self.payload_type}>"


# ---------------------------------------------------------------------------------------- transport
MessageHandler = Callable[[bytes], Awaitable[None]]
"""Called with every message published on a subscribed topic, one message at a time, in order."""


class Subscription(Protocol):
    """What :meth:`Transport.subscribe` returns."""

    async def unsubscribe(self) -> None:
        """Stop receiving; calling it again does nothing."""
        ...


@runtime_checkable
class Transport(Protocol):
    """Publish/subscribe of bytes on named topics: the fan-out a channel layer is built on, open
    to other features (an event bus publishes its events here to reach every worker).

    Delivery is at most once: a message published while a subscriber's connection to the broker
    is down is not replayed. Topics whose name starts with ``nexios.`` are reserved.
    """

    async def publish(self, topic: str, message: bytes) -> int:
        """Send ``message`` to every subscriber of ``topic``; returns how many subscriptions
        (processes, for a broker) received it. Raises :class:`ChannelLayerUnavailable` when the
        broker cannot be reached."""
        ...

    async def subscribe(self, topic: str, handler: MessageHandler) -> Subscription:
        """Call ``handler(message)`` for every message published on ``topic`` from now on (the
        subscription is active when this returns)."""
        ...


class InMemoryTransport:
    """A :class:`Transport` within one process: ``publish`` awaits every handler in turn."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[MessageHandler]] = {}

    async def publish(self, topic: str, message: bytes) -> int:
        handlers = list(self._handlers.get(topic, ()))
        for handler in handlers:
            await handler(message)
        return len(handlers)

    async def subscribe(self, topic: str, handler: MessageHandler) -> Subscription:
        self._handlers.setdefault(topic, []).append(handler)
        return _LocalSubscription(self._handlers, topic, handler)


class _LocalSubscription:
    __slots__ = ("handlers", "topic", "handler")

    def __init__(self, handlers: dict[str, list[MessageHandler]], topic: str, handler: MessageHandler) -> None:
        self.handlers, self.topic, self.handler = handlers, topic, handler

    async def unsubscribe(self) -> None:
        subscribed = self.handlers.get(self.topic)
        if subscribed is not None and self.handler in subscribed:
            subscribed.remove(self.handler)
            if not subscribed:
                del self.handlers[self.topic]


# ---------------------------------------------------------------------------------------- history
class MessageHistory:
    """Messages sent with ``save_history=True``, per group, within a memory budget: the oldest
    messages go first once the encoded size of all of them passes ``max_bytes``."""

    DEFAULT_MAX_BYTES = 1024 * 1024

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: collections.deque[tuple[str, Any, int]] = collections.deque()
        self._size = 0

    def record(self, group: str, payload: Any) -> None:
        """Remember ``payload`` as sent to ``group``."""
        if isinstance(payload, (bytes, bytearray, memoryview)):
            size = len(payload)
        else:
            size = len(jsoncodec.dumps(payload))
        self._entries.append((group, payload, size))
        self._size += size
        while self._size > self.max_bytes and self._entries:
            self._size -= self._entries.popleft()[2]

    def of(self, group: str) -> list[Any]:
        """The payloads remembered for ``group``, oldest first."""
        return [payload for name, payload, _ in self._entries if name == group]

    def all(self) -> dict[str, list[Any]]:
        """Every group's payloads, oldest first."""
        by_group: dict[str, list[Any]] = {}
        for name, payload, _ in self._entries:
            by_group.setdefault(name, []).append(payload)
        return by_group

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
        self._size = 0


# ---------------------------------------------------------------------------------------- the seam
@runtime_checkable
class ChannelLayer(Protocol):
    """Named groups of WebSocket channels, for one app.

    ``group_send`` and ``send`` reach members wherever they are connected (every worker, for a
    layer backed by a broker); ``channels`` and ``groups`` describe the members connected to this
    process, since only those are :class:`Channel` objects here; ``member_count`` counts members
    everywhere. The app calls ``start`` at start-up (layers also start on first use, for servers
    that skip the lifespan) and ``aclose`` at shutdown.
    """

    @property
    def history(self) -> MessageHistory:
        """Messages sent with ``save_history=True`` (kept by the process that sent them)."""
        ...

    @property
    def transport(self) -> Transport:
        """The publish/subscribe the layer is built on, for other features to fan out through."""
        ...

    async def start(self) -> None:
        """Get ready (connect to the broker). Never fails for a broker that is down: the layer
        keeps trying in the background and reports it when used."""
        ...

    async def aclose(self) -> None:
        """Leave every group and release connections."""
        ...

    async def group_add(self, group: str, channel: Channel) -> None:
        """Add ``channel`` to ``group`` (creating the group)."""
        ...

    async def group_discard(self, group: str, channel: Channel) -> None:
        """Remove ``channel`` from ``group``; absent members are ignored."""
        ...

    async def group_send(self, group: str, payload: Any) -> int:
        """Send ``payload`` to every member of ``group``. Returns how many received it: members,
        for a layer that delivers itself; worker processes that have members, for a broker."""
        ...

    async def send(self, channel_id: str, payload: Any) -> bool:
        """Send ``payload`` to the one channel with id ``channel_id`` (a member of some group),
        wherever it is connected; returns whether it was found."""
        ...

    async def channels(self, group: str) -> list[Channel]:
        """The members of ``group`` connected to this process (empty for an unknown group)."""
        ...

    async def groups(self) -> list[str]:
        """The names of groups with at least one member connected to this process."""
        ...

    async def member_count(self, group: str) -> int:
        """How many members ``group`` has, counting every process."""
        ...

    async def flush(self) -> None:
        """Remove every member connected to this process from every group."""
        ...


class LocalGroups:
    """The groups of one process: the bookkeeping both shipped layers share."""

    def __init__(self) -> None:
        self.members: dict[str, dict[str, Channel]] = {}
        self.memberships: dict[str, set[str]] = {}  # channel id -> its groups
        self.by_id: dict[str, Channel] = {}

    def add(self, group: str, channel: Channel) -> bool:
        """Add; returns whether the group is new in this process."""
        members = self.members.get(group)
        created = members is None
        if members is None:
            members = self.members[group] = {}
        members[channel.id] = channel
        self.memberships.setdefault(channel.id, set()).add(group)
        self.by_id[channel.id] = channel
        return created

    def discard(self, group: str, channel_id: str) -> bool:
        """Remove; returns whether the group is now empty here (and gone)."""
        members = self.members.get(group)
        if members is None or members.pop(channel_id, None) is None:
            return False
        groups = self.memberships.get(channel_id)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.memberships[channel_id]
                self.by_id.pop(channel_id, None)
        if members:
            return False
        del self.members[group]
        return True

    def groups_of(self, channel_id: str) -> list[str]:
        """The groups ``channel_id`` belongs to."""
        return sorted(self.memberships.get(channel_id, ()))

    def clear(self) -> None:
        """Forget every member."""
        self.members.clear()
        self.memberships.clear()
        self.by_id.clear()


class InMemoryChannelLayer:
    """The default :class:`ChannelLayer`: groups held in this process's memory.

    Broadcasts run concurrently, so one slow connection does not hold up the others; a member
    that has not taken a message after ``send_timeout`` seconds is dropped and closed (1013).
    """

    def __init__(
        self, *, send_timeout: float = DEFAULT_SEND_TIMEOUT, history_bytes: int = MessageHistory.DEFAULT_MAX_BYTES
    ) -> None:
        self.send_timeout = send_timeout
        self.history = MessageHistory(history_bytes)
        self.transport: Transport = InMemoryTransport()
        self._local = LocalGroups()

    async def start(self) -> None:
        return None

    async def aclose(self) -> None:
        self._local.clear()

    async def group_add(self, group: str, channel: Channel) -> None:
        check_group_name(group)
        self._local.add(group, channel)

    async def group_discard(self, group: str, channel: Channel) -> None:
        self._local.discard(group, channel.id)

    async def group_send(self, group: str, payload: Any) -> int:
        check_group_name(group)  # as on Redis: the same code must fail the same way on either
        members = list(self._local.members.get(group, {}).values())
        if not members:
            return 0
        return await self._deliver(members, payload)

    async def send(self, channel_id: str, payload: Any) -> bool:
        if not isinstance(channel_id, str):
            return False  # not an id this layer hands out (it may come from a client's JSON)
        channel = self._local.by_id.get(channel_id)
        if channel is None:
            return False
        return await self._deliver([channel], payload) == 1

    async def _deliver(self, members: list[Channel], payload: Any) -> int:
        outcome = await deliver(members, payload, self.send_timeout)
        for channel in outcome.dead:
            await self.discard_everywhere(channel)
        if outcome.error is not None:
            # Raised after every other member was served, as itself (not in an exception
            # group), so the caller sees e.g. the TypeError of a wrong payload type.
            raise outcome.error
        return outcome.delivered

    async def channels(self, group: str) -> list[Channel]:
        return list(self._local.members.get(group, {}).values())

    async def groups(self) -> list[str]:
        return list(self._local.members)

    async def member_count(self, group: str) -> int:
        return len(self._local.members.get(group, ()))

    async def discard_everywhere(self, channel: Channel) -> None:
        """Remove ``channel`` from every group."""
        for group in self._local.groups_of(channel.id):
            self._local.discard(group, channel.id)

    async def flush(self) -> None:
        self._local.clear()


__all__ = [
    "MAX_GROUP_NAME_LENGTH",
    "Channel",
    "ChannelLayer",
    "ChannelLayerError",
    "ChannelLayerUnavailable",
    "ChannelMessageTooLarge",
    "InMemoryChannelLayer",
    "InMemoryTransport",
    "InvalidGroupName",
    "LocalGroups",
    "MessageHandler",
    "MessageHistory",
    "PayloadType",
    "Subscription",
    "Transport",
    "check_group_name",
]
