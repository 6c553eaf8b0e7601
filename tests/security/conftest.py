"""Helpers shared by the hostile-input regression tests (one test per class in SECURITY.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest


def _client_for(app: Any, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=base_url)


@pytest.fixture
def client_for() -> Callable[..., httpx.AsyncClient]:
    """``async with client_for(app[, base_url]) as client:`` drives a whole app in-process."""
    return _client_for
