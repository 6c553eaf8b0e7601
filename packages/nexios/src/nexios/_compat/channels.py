"""Upstream Nexios's ``PayloadTypeEnum`` for ``Channel(payload_type=...)``."""

from __future__ import annotations

import enum


class PayloadTypeEnum(enum.Enum):
    """How a channel frames what it sends: ``Channel(ws, payload_type=PayloadTypeEnum.JSON.value)``
    (the values are the strings ``Channel`` takes)."""

    TEXT = "text"
    BYTES = "bytes"
    JSON = "json"


__all__ = ["PayloadTypeEnum"]
