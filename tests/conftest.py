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


@pytest.fixture(autouse=True)
def every_openapi_document_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every OpenAPI document any test makes an app build (``/openapi.json``, ``app.openapi()``,
    ``nexios openapi``) is checked with openapi-spec-validator as it is built: an invalid one
    fails the build, so the test that asked for it fails."""
    from openapi_spec_validator import validate

    from nexios_openapi.plugin import OpenAPI

    build = OpenAPI._build

    def build_and_check(self: OpenAPI, app: Any) -> dict[str, Any]:
        document = build(self, app)
        validate(document)
        return document

    monkeypatch.setattr(OpenAPI, "_build", build_and_check)
