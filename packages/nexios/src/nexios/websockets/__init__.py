"""``nexios.websockets``: the WebSocket connection, its disconnect exception, and consumers."""

from nexios_core.exceptions import WebSocketException
from nexios_core.websocket import (
    WebSocket,
    WebSocketConsumer,
    WebSocketDisconnect,
    WebSocketState,
    origin_is_allowed,
)

__all__ = [
    "WebSocket",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketState",
    "origin_is_allowed",
]
