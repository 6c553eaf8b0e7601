"""``nexios.testclient``: ``TestClient`` (sync) and ``AsyncTestClient``."""

from nexios_core.testclient import AsyncTestClient, TestClient

__all__ = ["AsyncTestClient", "TestClient"]
