"""``nexios.websockets.consumers``: class-based WebSocket handlers."""

from .._compat.consumers import WebSocketConsumer

__all__ = ["WebSocketConsumer"]
