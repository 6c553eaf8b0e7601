"""``nexios.websockets.consumers``: class-based WebSocket handlers."""

from nexios_core.websocket import WebSocketConsumer

__all__ = ["WebSocketConsumer"]
