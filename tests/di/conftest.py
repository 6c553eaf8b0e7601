"""Shared helpers for the dependency-injection tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest


def _async_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
def async_client_for() -> Callable[[Any], httpx.AsyncClient]:
    """``async with async_client_for(app) as client: ...`` drives ``app`` in the test's loop;
    httpx's ASGI transport returns only once the app call (cleanups included) has ended."""
    return _async_client
