from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live_server() -> Iterator[Callable[..., str]]:
    """``base_url = live_server(app_or_import_string, **uvicorn_options)``: serve an app under real
    uvicorn until the test ends (see ``tests/support/live_server.py``)."""
    from tests.support.live_server import run_live_server  # uvicorn loads only for tests using it

    with contextlib.ExitStack() as servers:

        def start(app: Any, **options: Any) -> str:
            return servers.enter_context(run_live_server(app, **options))

        yield start
