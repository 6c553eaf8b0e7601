"""The plugin's own tests: an app with nothing but nexios-core and the plugin, driven by the
core's test client (``pip install 'nexios-core[testclient]' pytest``)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from nexios_request_timing import RequestTimingPlugin

from nexios_core import App, HandlerDispatcher, Request, Response
from nexios_core.testclient import LifespanFailed, TestClient


async def hello(request: Request, response: Response) -> Any:
    if request.path == "/slow":
        await asyncio.sleep(0.05)
    response.headers.append("server-timing", "db;dur=1.0")  # the handler's own entry
    return {"hello": "world"}


def make_app(config: dict[str, Any] | None = None, **options: Any) -> App:
    app = App(config, dispatcher=HandlerDispatcher(http=hello))
    app.install(RequestTimingPlugin(**options))
    return app


def test_every_response_gets_a_server_timing_entry() -> None:
    with TestClient(make_app()) as client:
        answer = client.get("/slow")
    assert answer.json() == {"hello": "world"}
    entries = answer.headers.get_list("server-timing")
    assert entries[0] == "db;dur=1.0"  # kept: the plugin adds its entry
    timing = re.fullmatch(r"app;dur=(\d+\.\d)", entries[1])
    assert timing is not None and float(timing.group(1)) >= 50.0  # it timed the handler's sleep


def test_the_health_endpoint_and_metric_come_from_the_config() -> None:
    app = make_app({"request_timing": {"metric": "edge", "health_path": "/health"}})
    with TestClient(app) as client:
        health = client.get("/health")
        assert health.json() == {"status": "ok"} and health.headers["cache-control"] == "no-store"
        assert client.head("/health").status_code == 200
        refused = client.post("/health")
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
        assert re.fullmatch(r"db;dur=1\.0, edge;dur=\d+\.\d", client.get("/").headers["server-timing"])


def test_options_win_over_the_config() -> None:
    app = make_app({"request_timing": {"health_path": "/health"}}, health_path=None)
    with TestClient(app) as client:
        assert client.get("/health").json() == {"hello": "world"}  # no health endpoint


@pytest.mark.parametrize(("options", "message"), [
    ({"metric": "app timing"}, "is not an HTTP token"),
    ({"health_path": "health"}, "must be a path starting with '/'"),
])
def test_bad_settings_stop_the_app_from_starting(options: dict[str, Any], message: str) -> None:
    with pytest.raises(LifespanFailed, match=message), TestClient(make_app(**options)):
        pass
