"""``nexios.websockets.consumers``: class-based WebSocket handlers."""

from nexios_core import WebSocketConsumer

__all__ = ["WebSocketConsumer"]
