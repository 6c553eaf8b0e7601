"""Channels and groups: send one message to many WebSocket connections.

A :class:`Channel` is one connection seen as a destination. A channel layer keeps named groups
of channels and delivers a payload to every member. :class:`ChannelLayer` is the seam for plugins:
the default :class:`InMemoryChannelLayer` reaches the connections of this process only; a layer
backed by a message broker (Redis pub/sub) implements the same protocol to reach every worker.

:class:`ChannelBox` is the familiar facade over the process-wide default layer.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

import anyio

from .exceptions import WebSocketDisconnect

if TYPE_CHECKING:
    from .websocket import WebSocket

PayloadType = Literal["text", "bytes", "json"]


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
    def is_expired(self) -> bool:
        """Whether ``expires`` seconds have passed since the channel was created."""
        return self.expires is not None and time.monotonic() - self.created >= self.expires

    @property
    def is_closed(self) -> bool:
        """Whether the connection has ended on either side."""
        from .websocket import WebSocketState

        return WebSocketState.DISCONNECTED in (
            self.websocket.client_state,
            self.websocket.application_state,
        )

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


@runtime_checkable
class ChannelLayer(Protocol):
    """Named groups of channels. Implementations for several workers (Redis) deliver a
    ``group_send`` to the members connected to every worker; ``channels`` and ``groups`` describe
    the members connected to this process."""

    async def group_add(self, group: str, channel: Channel) -> None:
        """Add ``channel`` to ``group`` (creating the group)."""
        ...

    async def group_discard(self, group: str, channel: Channel) -> None:
        """Remove ``channel`` from ``group``; absent members are ignored."""
        ...

    async def group_send(self, group: str, payload: Any) -> int:
        """Send ``payload`` to every member of ``group``; return how many local members got it.
        Members whose connection has failed are removed."""
        ...

    async def channels(self, group: str) -> list[Channel]:
        """The members of ``group`` (empty for an unknown group)."""
        ...

    async def groups(self) -> list[str]:
        """The names of groups with at least one member."""
        ...


# What a failed send to a finished connection raises: the peer left, the app already closed the
# socket, or the transport broke.
_DEAD_CONNECTION_ERRORS = (WebSocketDisconnect, RuntimeError, OSError)


class InMemoryChannelLayer:
    """The default :class:`ChannelLayer`: groups held in this process's memory.

    Broadcasts run concurrently, so one slow connection does not hold up the others.
    """

    def __init__(self) -> None:
        self._groups: dict[str, dict[str, Channel]] = {}

    async def group_add(self, group: str, channel: Channel) -> None:
        self._groups.setdefault(group, {})[channel.id] = channel

    async def group_discard(self, group: str, channel: Channel) -> None:
        members = self._groups.get(group)
        if members is None:
            return
        members.pop(channel.id, None)
        if not members:
            del self._groups[group]

    async def group_send(self, group: str, payload: Any) -> int:
        members = list(self._groups.get(group, {}).values())
        dead: list[Channel] = []
        errors: list[Exception] = []
        delivered = 0

        async def deliver(channel: Channel) -> None:
            nonlocal delivered
            if channel.is_expired or channel.is_closed:
                dead.append(channel)
                return
            try:
                await channel.send(payload)
            except _DEAD_CONNECTION_ERRORS:
                dead.append(channel)
            except Exception as exc:  # a payload the channel cannot frame: the caller's mistake
                errors.append(exc)
            else:
                delivered += 1

        async with anyio.create_task_group() as task_group:
            for channel in members:
                task_group.start_soon(deliver, channel)
        for channel in dead:
            await self.discard_everywhere(channel)
        if errors:
            # Raised after every other member was served, and as itself rather than wrapped in
            # an exception group, so the caller sees e.g. the TypeError of a wrong payload type.
            raise errors[0]
        return delivered

    async def channels(self, group: str) -> list[Channel]:
        return list(self._groups.get(group, {}).values())

    async def groups(self) -> list[str]:
        return list(self._groups)

    async def discard_everywhere(self, channel: Channel) -> None:
        """Remove ``channel`` from every group."""
        for group in list(self._groups):
            await self.group_discard(group, channel)

    async def flush(self) -> None:
        """Forget every group."""
        self._groups.clear()


class ChannelBox:
    """Named groups over the process-wide default channel layer.

    ``ChannelBox.layer`` is deliberately class-level state: it *is* the process-wide default layer
    that :class:`~nexios_core.websocket.WebSocketConsumer` uses unless given its own. Swap it with
    :meth:`use_layer` (a Redis layer for several workers, or a fresh in-memory layer in a test).
    """

    layer: ClassVar[ChannelLayer] = InMemoryChannelLayer()

    @classmethod
    def use_layer(cls, layer: ChannelLayer) -> ChannelLayer:
        """Make ``layer`` the process-wide default; returns the previous one."""
        previous = cls.layer
        cls.layer = layer
        return previous

    @classmethod
    async def add_channel_to_group(cls, channel: Channel, group_name: str = "default") -> None:
        """Add ``channel`` to group ``group_name``."""
        await cls.layer.group_add(group_name, channel)

    @classmethod
    async def remove_channel_from_group(cls, channel: Channel, group_name: str) -> None:
        """Remove ``channel`` from group ``group_name``."""
        await cls.layer.group_discard(group_name, channel)

    @classmethod
    async def group_send(cls, group_name: str, payload: Any) -> int:
        """Send ``payload`` to every channel in ``group_name``; returns how many received it."""
        return await cls.layer.group_send(group_name, payload)

    broadcast = group_send

    @classmethod
    async def groups(cls) -> dict[str, list[Channel]]:
        """Every group with its members."""
        layer = cls.layer
        return {name: await layer.channels(name) for name in await layer.groups()}


__all__ = ["Channel", "ChannelBox", "ChannelLayer", "InMemoryChannelLayer", "PayloadType"]
