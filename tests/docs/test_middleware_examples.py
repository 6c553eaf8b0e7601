"""The examples of ``docs/middleware.md`` do what the page says they do."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from nexios import get_application
from tests.support.doc_examples import load, make_client


def test_middleware_order_and_headers() -> None:
    example = load("middleware.py")
    http = make_client(example.app)
    answer = http.get("/api/report", headers={"x-api-key": "secret", "accept-encoding": "gzip"})
    assert answer.status_code == 200
    assert example.calls == [
        "timing: before", "tagger: process_request", "api key: ok", "router middleware",
        "route middleware", "handler", "tagger: process_response", "timing: after", "asgi: response start",
    ]
    assert answer.headers["content-encoding"] == "gzip"  # the bundled GZip middleware
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["server"] == "docs-example"
    assert answer.headers["x-tag"] == "tagged" and "x-process-time" in answer.headers
    assert answer.json()["tag"] == "tagged"


def test_middleware_can_answer_instead_of_the_handler() -> None:
    example = load("middleware.py")
    refused = make_client(example.app).get("/api/report")
    assert (refused.status_code, refused.json()) == (401, {"detail": "Missing or wrong API key"})
    assert "handler" not in example.calls and "api key: refused" in example.calls
    assert refused.headers["x-tag"] == "tagged"  # app middleware still wraps the answer


def test_app_middleware_sees_404s_router_middleware_does_not() -> None:
    example = load("middleware.py")
    missing = make_client(example.app).get("/api/nowhere", headers={"x-api-key": "secret"})
    assert missing.status_code == 404 and missing.headers["x-tag"] == "tagged"
    assert "router middleware" not in example.calls and "tagger: process_response" in example.calls


def test_unhandled_error_comes_out_of_call_next(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()
    seen: list[str] = []

    @app.middleware
    async def watch(request: Any, response: Any, call_next: Any) -> Any:
        try:
            return await call_next()
        except RuntimeError as exc:
            seen.append(str(exc))
            raise

    @app.get("/boom")
    async def boom(request: Any, response: Any) -> None:
        raise RuntimeError("bug")

    with caplog.at_level(logging.ERROR, logger="nexios.error"):
        assert make_client(app).get("/boom").status_code == 500
    assert seen == ["bug"]
