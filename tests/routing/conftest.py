"""Shared helpers for the routing tests: an in-process HTTP client for any ASGI app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest


def _client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
def client_for() -> Callable[[Any], httpx.AsyncClient]:
    """``async with client_for(app) as client: ...`` drives ``app`` in-process."""
    return _client_for
