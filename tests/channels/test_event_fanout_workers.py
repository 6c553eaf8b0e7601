"""``app.events.fan_out``: an event emitted in one uvicorn worker runs the listeners of the other
worker too, once each, through a real redis-server; events not chosen stay in their worker."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.support.live_server import live_server

APP = "tests.channels.events_two_workers_app:app"


def cleared(base_url: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{base_url}/cleared", timeout=10)
    assert answer.status_code == 200
    return answer.json()["cleared"]  # type: ignore[no-any-return]


def test_an_event_emitted_in_one_worker_reaches_the_listeners_of_the_other(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEXIOS_TEST_REDIS_URL", redis_url)
    monkeypatch.setenv("NEXIOS_TEST_PREFIX", f"test:{uuid.uuid4().hex}:")
    with live_server(APP) as first, live_server(APP) as second:
        answer = httpx.post(f"{first.base_url}/clear/books", timeout=10)
        assert answer.status_code == 200, first.output()
        first_pid = answer.json()["pid"]
        assert answer.json()["published_to"] == 2  # both workers subscribe
        deadline = time.monotonic() + 10
        while not cleared(second.base_url) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a duplicate delivery would arrive by now
        on_first, on_second = cleared(first.base_url), cleared(second.base_url)
    assert on_first == [{"key": "books", "by": first_pid}, {"key": "books", "local": True}]
    assert on_second == [{"key": "books", "by": first_pid}]  # once, and not the local event
