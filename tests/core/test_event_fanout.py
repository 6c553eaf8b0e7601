"""``app.events.fan_out(...)``: chosen events reach the listeners of other apps (workers) through
a transport, each listener once, and nothing a transport delivers is trusted blindly."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from nexios import get_application
from nexios_core import ImproperlyConfigured, InMemoryTransport
from nexios_core._event_fanout import MAX_EVENT_MESSAGE_SIZE
from nexios_core.testclient import AsyncTestClient

pytestmark = pytest.mark.anyio


def worker(name: str, transport: InMemoryTransport, seen: list[Any]) -> Any:
    app = get_application()
    app.events.fan_out("cache.*", transport=transport)

    @app.events.on("cache.clear")
    def clear(key: str, *, reason: str = "") -> None:
        seen.append((name, key, reason))

    @app.events.on("local.note")
    def note(text: str) -> None:
        seen.append((name, "note", text))

    @app.post("/clear/{key}")
    async def clear_key(request: Any, response: Any, key: str) -> Any:
        result = await app.events.emit("cache.clear", key, reason="edited")
        return {"listeners": result["listeners_executed"], "published_to": result["published_to"]}

    @app.post("/note/{text}")
    async def note_text(request: Any, response: Any, text: str) -> Any:
        return {"listeners": (await app.events.emit("local.note", text))["listeners_executed"]}

    return app


@contextlib.asynccontextmanager
async def two_workers(seen: list[Any]) -> AsyncIterator[tuple[AsyncTestClient, AsyncTestClient]]:
    # Two apps on one event loop sharing an in-process transport, as two workers share Redis.
    transport = InMemoryTransport()
    first = worker("a", transport, seen)

    @first.post("/raw")
    async def publish_raw(request: Any, response: Any) -> Any:  # what a broker could deliver
        return {"reached": await transport.publish("nexios.events", await request.body())}

    async with AsyncTestClient(first) as a, AsyncTestClient(worker("b", transport, seen)) as b:
        yield a, b


async def wait_for(seen: list[Any], count: int) -> None:
    with anyio.fail_after(10):
        while len(seen) < count:
            await anyio.sleep(0.01)


async def test_a_fanned_out_event_runs_every_workers_listeners_once() -> None:
    seen: list[Any] = []
    async with two_workers(seen) as (a, b):
        answer = (await a.post("/clear/books")).json()
        await wait_for(seen, 2)
        assert answer == {"listeners": 1, "published_to": 2}  # the transport reached both subscriptions
        assert sorted(seen) == [("a", "books", "edited"), ("b", "books", "edited")]
        await b.post("/note/hello")  # not fanned out: stays in b
        await anyio.sleep(0.1)
    assert sorted(seen) == [("a", "books", "edited"), ("b", "books", "edited"), ("b", "note", "hello")]


async def test_malformed_transport_messages_are_dropped_and_delivery_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[Any] = []
    hostile = [
        b"not json", b"[1, 2]", b'{"event": "cache.clear"}',
        json.dumps({"origin": "x", "event": "cache clear", "args": [], "kwargs": {}}).encode(),
        json.dumps({"origin": "x", "event": "cache.clear", "args": "k", "kwargs": {}}).encode(),
        json.dumps({"origin": "x", "event": "cache.clear", "args": ["k"], "kwargs": {"not-a-name": 1}}).encode(),
        json.dumps({"origin": "x", "event": "admin.delete_all", "args": [], "kwargs": {}}).encode(),
        b"[" * 100_000, b'{"origin": "x", "event": "cache.clear", "args": ["' + b"x" * MAX_EVENT_MESSAGE_SIZE + b'"]}',
    ]
    with caplog.at_level(logging.WARNING, logger="nexios.events"):
        async with two_workers(seen) as (a, _):
            for message in hostile:
                assert (await a.post("/raw", content=message)).json() == {"reached": 2}
            await a.post("/clear/after")
            await wait_for(seen, 2)
    assert sorted(seen) == [("a", "after", "edited"), ("b", "after", "edited")]
    assert "Dropped" in caplog.text


async def test_arguments_must_fit_in_json_and_the_size_limit_before_anything_runs() -> None:
    app = get_application()
    app.events.fan_out("cache.*", transport=InMemoryTransport())
    ran: list[Any] = []
    app.events.on("cache.clear", ran.append)
    async with app.run_lifespan():
        with pytest.raises(TypeError, match="go to other workers as JSON"):
            await app.events.emit("cache.clear", object())
        with pytest.raises(ValueError, match="over the .*-byte limit"):
            await app.events.emit("cache.clear", "x" * MAX_EVENT_MESSAGE_SIZE)
    assert ran == []


def test_one_transport_and_one_topic_per_app() -> None:
    app = get_application()
    app.events.fan_out("a.*", transport=InMemoryTransport())
    with pytest.raises(ImproperlyConfigured, match="one transport"):
        app.events.fan_out("b.*", transport=InMemoryTransport())
    with pytest.raises(ImproperlyConfigured, match="one topic"):
        app.events.fan_out("b.*", topic="other")
