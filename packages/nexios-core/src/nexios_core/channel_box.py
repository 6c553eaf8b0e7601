"""``ChannelBox``: the upstream-style class methods over an app's channel layer.

Upstream Nexios keeps one process-wide box of groups. Here every app has its own layer
(``app.channel_layer``) and ``ChannelBox`` finds it: from the channel's connection when a channel
is given, otherwise from the app handling the current request, WebSocket or lifespan
(:func:`~nexios_core.current_app.current_app`). The same calls work on the in-process layer and on
Redis. Code running outside any app (a script, a thread started by hand) uses
``app.channel_layer`` directly.
"""

from __future__ import annotations

import contextlib
import enum
from typing import Any

from .channels import Channel, ChannelLayer
from .current_app import current_app


class ChannelAddStatus(enum.Enum):
    """What :meth:`ChannelBox.add_channel_to_group` did."""

    CHANNEL_ADDED = "channel_added"
    """The group was new (in this process) and the channel is its first member."""
    CHANNEL_EXIST = "channel_exist"
    """The group already existed; the channel is now one of its members."""


class ChannelRemoveStatus(enum.Enum):
    """What :meth:`ChannelBox.remove_channel_from_group` did."""

    CHANNEL_REMOVED = "channel_removed"
    CHANNEL_DOES_NOT_EXIST = "channel_does_not_exist"
    GROUP_REMOVED = "group_removed"
    """The channel was the group's last member (in this process): the group is gone."""
    GROUP_DOES_NOT_EXIST = "group_does_not_exist"


class GroupSendStatus(enum.Enum):
    """What :meth:`ChannelBox.group_send` did."""

    GROUP_SEND = "group_send"
    """At least one member (or, on Redis, one worker with members) received the message."""
    NO_SUCH_GROUP = "no_such_group"
    """Nobody is in the group: the message went nowhere."""


_EMPTY_PAYLOAD: Any = object()


def layer_of(channel: Channel | None = None) -> ChannelLayer:
    """The channel layer ``ChannelBox`` works on: that of the app serving ``channel``'s
    connection, else that of the app handling the current request."""
    app = channel.websocket.app if channel is not None else None
    if app is None:
        app = current_app()
    layer = getattr(app, "channel_layer", None)
    if layer is None:
        raise RuntimeError(
            "ChannelBox works on the channel layer of the app handling the current request, "
            "WebSocket or lifespan, and none is running here: use app.channel_layer directly"
        )
    return layer  # type: ignore[no-any-return]


class ChannelBox:
    """Named groups of WebSocket channels, as class methods (the upstream API).

    Works on the channel layer of the current app, so the same code runs with the in-process
    layer and with Redis. Listings (:meth:`show_groups`) show the connections of this process;
    sends reach members everywhere.
    """

    @classmethod
    async def add_channel_to_group(cls, channel: Channel, group_name: str = "default") -> ChannelAddStatus:
        """Add ``channel`` to group ``group_name``."""
        layer = layer_of(channel)
        existed = group_name in await layer.groups()
        await layer.group_add(group_name, channel)
        return ChannelAddStatus.CHANNEL_EXIST if existed else ChannelAddStatus.CHANNEL_ADDED

    @classmethod
    async def remove_channel_from_group(cls, channel: Channel, group_name: str) -> ChannelRemoveStatus:
        """Remove ``channel`` from group ``group_name``."""
        layer = layer_of(channel)
        members = await layer.channels(group_name)
        if not members:
            return ChannelRemoveStatus.GROUP_DOES_NOT_EXIST
        if all(member.id != channel.id for member in members):
            return ChannelRemoveStatus.CHANNEL_DOES_NOT_EXIST
        await layer.group_discard(group_name, channel)
        if len(members) == 1:
            return ChannelRemoveStatus.GROUP_REMOVED
        return ChannelRemoveStatus.CHANNEL_REMOVED

    @classmethod
    async def group_send(
        cls, group_name: str = "default", payload: Any = _EMPTY_PAYLOAD, save_history: bool = False
    ) -> GroupSendStatus:
        """Send ``payload`` (JSON-able, str or bytes; default ``{}``) to every member of
        ``group_name``; with ``save_history``, remember it for :meth:`show_history`."""
        if payload is _EMPTY_PAYLOAD:
            payload = {}
        layer = layer_of()
        received = await layer.group_send(group_name, payload)
        if save_history:
            layer.history.record(group_name, payload)
        return GroupSendStatus.GROUP_SEND if received else GroupSendStatus.NO_SUCH_GROUP

    @classmethod
    async def show_groups(cls) -> dict[str, list[Channel]]:
        """Every group with its members connected to this process."""
        layer = layer_of()
        return {name: await layer.channels(name) for name in await layer.groups()}

    @classmethod
    async def flush_groups(cls) -> None:
        """Remove every member connected to this process from every group."""
        await layer_of().flush()

    @classmethod
    async def show_history(cls, group_name: str = "") -> Any:
        """The payloads sent with ``save_history=True`` from this process: a list for one
        group, or a dict of every group's lists when ``group_name`` is empty."""
        history = layer_of().history
        return history.of(group_name) if group_name else history.all()

    @classmethod
    async def flush_history(cls) -> None:
        """Forget the saved history."""
        layer_of().history.clear()

    @classmethod
    async def close_all_connections(cls) -> None:
        """Close every member connected to this process, and empty the groups."""
        layer = layer_of()
        seen: set[str] = set()
        for name in await layer.groups():
            for channel in await layer.channels(name):
                if channel.id not in seen:
                    seen.add(channel.id)
                    with contextlib.suppress(Exception):  # one broken connection must not stop the rest
                        await channel.websocket.close()
        await layer.flush()


__all__ = ["ChannelAddStatus", "ChannelBox", "ChannelRemoveStatus", "GroupSendStatus", "layer_of"]
