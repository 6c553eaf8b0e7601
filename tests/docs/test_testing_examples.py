"""The examples of ``docs/testing.md`` do what the page says they do."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from nexios import get_application
from nexios.testclient import TestClient
from tests.support.doc_examples import load

_testing_example = load("testing.py")
# The example's own fixture and tests, run by pytest exactly as the page shows them.
client = _testing_example.client
test_example_ping = _testing_example.test_ping
test_example_buy_uses_the_fake_gateway = _testing_example.test_buy_uses_the_fake_gateway
test_example_a_crashing_handler_is_a_500 = _testing_example.test_a_crashing_handler_is_a_500
test_example_websocket_echo = _testing_example.test_websocket_echo
test_example_with_the_async_client = _testing_example.test_with_the_async_client


def test_testing_example_without_lifespan_has_no_state(caplog: pytest.LogCaptureFixture) -> None:
    fresh = load("testing.py")
    fresh.app.dependency_overrides[fresh.get_gateway] = fresh.FakeGateway
    with caplog.at_level(logging.CRITICAL):
        assert TestClient(fresh.app).post("/buy/coffee").status_code == 500  # app.state.prices unset
        with TestClient(fresh.app) as http:
            assert http.post("/buy/coffee").status_code == 201
            assert http.post("/buy/tea").json() == {"detail": "No product 'tea'"}


def test_testing_example_redirects_are_followed_by_default() -> None:
    app = get_application()

    @app.get("/target/")
    async def target(request: Any, response: Any) -> dict[str, bool]:
        return {"reached": True}

    assert TestClient(app).get("/target").json() == {"reached": True}
