"""``nexios.websockets.consumers``: class-based WebSocket handlers."""

from nexios_core.consumers import WebSocketConsumer

__all__ = ["WebSocketConsumer"]
