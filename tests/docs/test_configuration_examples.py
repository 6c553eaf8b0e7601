"""The examples of ``docs/configuration.md`` do what the page says they do."""

from __future__ import annotations

import logging

import pytest

from nexios import get_application
from nexios.middleware import CORSMiddleware
from nexios.testclient import TestClient
from nexios_core.testclient import LifespanFailed
from tests.support.doc_examples import load, make_client


def test_configuration_example() -> None:
    example = load("configuration.py")
    assert example.default_page_size() == 20  # the last app created is this one
    http = make_client(example.app)
    assert http.get("/settings").json() == {"currency": "EUR", "page_size": 20, "debug": False, "unset_section": None}
    cors = http.get("/settings", headers={"origin": "https://app.example.com"})
    assert cors.headers["access-control-allow-origin"] == "https://app.example.com"
    refused = http.options("/settings", headers={"origin": "https://app.example.com",
                                                 "access-control-request-method": "DELETE"})
    assert refused.status_code == 400
    evil = http.get("/settings", headers={"host": "evil.test"})
    assert (evil.status_code, evil.json()) == (400, {"detail": "Invalid host header"})
    assert http.get("/settings", headers={"host": "shop.example.com"}).status_code == 200
    config = example.config
    assert config.payments is None and config.get("payments", "x") == "x"
    with pytest.raises(KeyError):
        config["payments"]


def test_bad_cors_config_stops_the_start_up(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application(config={"cors": {"allow_origins": ["*"], "allow_credentials": True}})
    app.add_middleware(CORSMiddleware())
    with caplog.at_level(logging.CRITICAL), pytest.raises(LifespanFailed, match="allow_credentials"):
        with TestClient(app):
            pass
