"""``nexios.websockets.channels``: channels and named groups (``ChannelBox``), the channel layer
interface, the in-process layer and the Redis layer for several workers (``RedisChannelLayer``,
which needs ``pip install 'nexios[redis]'`` and is imported on first use)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nexios_core import (
    Channel,
    ChannelAddStatus,
    ChannelBox,
    ChannelLayer,
    ChannelLayerError,
    ChannelLayerUnavailable,
    ChannelMessageTooLarge,
    ChannelRemoveStatus,
    GroupSendStatus,
    InMemoryChannelLayer,
    InMemoryTransport,
    InvalidGroupName,
    MessageHistory,
    PayloadType,
    Subscription,
    Transport,
)

from .._compat.channels import PayloadTypeEnum

if TYPE_CHECKING:
    from nexios_core.redis_channels import RedisChannelLayer
    from nexios_core.redis_transport import RedisTransport

_NEEDS_REDIS = {"RedisChannelLayer": "nexios_core.redis_channels", "RedisTransport": "nexios_core.redis_transport"}


def __getattr__(name: str) -> Any:
    # The Redis layer imports redis: only when asked for, so this module works without it.
    module = _NEEDS_REDIS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "Channel",
    "ChannelAddStatus",
    "ChannelBox",
    "ChannelLayer",
    "ChannelLayerError",
    "ChannelLayerUnavailable",
    "ChannelMessageTooLarge",
    "ChannelRemoveStatus",
    "GroupSendStatus",
    "InMemoryChannelLayer",
    "InMemoryTransport",
    "InvalidGroupName",
    "MessageHistory",
    "PayloadType",
    "PayloadTypeEnum",
    "RedisChannelLayer",
    "RedisTransport",
    "Subscription",
    "Transport",
]
