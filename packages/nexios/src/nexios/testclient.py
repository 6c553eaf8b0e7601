"""``nexios.testclient``: ``TestClient`` (sync) and ``AsyncTestClient``, with the exceptions they
raise for a failed lifespan or a refused WebSocket."""

from nexios_core.testclient import (
    AsyncTestClient,
    LifespanFailed,
    TestClient,
    WebSocketDenied,
    WebSocketTestSession,
)

__all__ = ["AsyncTestClient", "LifespanFailed", "TestClient", "WebSocketDenied", "WebSocketTestSession"]
