"""``nexios.websockets.base``: upstream Nexios's module for the WebSocket connection and its
exceptions."""

from nexios_core import WebSocket, WebSocketDisconnect, WebSocketException, WebSocketState

__all__ = ["WebSocket", "WebSocketDisconnect", "WebSocketException", "WebSocketState"]
