"""``nexios.websockets``: the WebSocket connection, its disconnect exception, and consumers."""

from nexios_core.consumers import WebSocketConsumer
from nexios_core.exceptions import WebSocketException
from nexios_core.websocket import WebSocket, WebSocketDisconnect, WebSocketState
from nexios_core.websocket_origin import origin_is_allowed

__all__ = [
    "WebSocket",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketState",
    "origin_is_allowed",
]
