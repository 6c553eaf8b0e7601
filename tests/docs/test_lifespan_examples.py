"""The examples of ``docs/lifespan.md`` do what the page says they do."""

from __future__ import annotations

import logging

import pytest

from nexios.testclient import TestClient
from nexios_core.testclient import LifespanFailed
from tests.support.doc_examples import load


def test_lifespan_order_and_state() -> None:
    example = load("lifespan.py")
    with TestClient(example.app) as http:
        assert http.get("/status").json() == {"db_connected": True, "greeting": "hello"}
        assert example.events == ["startup hook", "lifespan: connected"]
    assert example.events == ["startup hook", "lifespan: connected", "shutdown hook", "lifespan: disconnected"]


def test_failing_startup_raises_and_no_lifespan_means_no_state(caplog: pytest.LogCaptureFixture) -> None:
    example = load("lifespan.py")
    with caplog.at_level(logging.CRITICAL), pytest.raises(LifespanFailed, match="database unreachable"):
        with TestClient(example.broken_app):
            pass
    with caplog.at_level(logging.CRITICAL):
        assert TestClient(example.app).get("/status").status_code == 500  # no `with`: no start-up
    assert example.events == []
