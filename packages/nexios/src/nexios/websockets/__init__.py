"""``nexios.websockets``: the WebSocket connection, its disconnect exception, and consumers."""

from nexios_core import (
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    WebSocketState,
    origin_is_allowed,
)

from .consumers import WebSocketConsumer

__all__ = [
    "WebSocket",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketState",
    "origin_is_allowed",
]
