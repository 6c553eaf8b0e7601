"""``app.events.fan_out`` on a Redis channel layer when Redis is down as the app starts: the app
starts anyway (as the layer alone does), a fanned-out event runs this worker's listeners and
reports that it did not reach the others, and once Redis is back the events travel again. Two
apps on one event loop with their own layers (own connections, one prefix) stand for two workers;
the process-level proof is ``test_event_fanout_workers.py``."""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
import pytest

from nexios import get_application
from nexios.websockets.channels import RedisChannelLayer
from nexios_core.testclient import AsyncTestClient
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.anyio


def worker(name: str, url: str, prefix: str, seen: list[Any]) -> Any:
    layer = RedisChannelLayer(url, prefix=prefix, operation_timeout=0.5, reconnect_delay=(0.05, 0.5))
    app = get_application(channel_layer=layer)
    app.events.fan_out("cache.*")

    @app.events.on("cache.clear")
    def clear(key: str) -> None:
        seen.append((name, key))

    @app.post("/clear/{key}")
    async def clear_key(request: Any, response: Any, key: str) -> Any:
        result = await app.events.emit("cache.clear", key)
        return {"published_to": result["published_to"], "errors": [str(e) for e in result["errors"]]}

    return app


async def test_an_app_fanning_out_events_starts_while_redis_is_down_and_catches_up(
    redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    redis_server.kill()
    seen: list[Any] = []
    started = time.monotonic()
    async with AsyncTestClient(worker("a", redis_server.url, prefix, seen)) as first, \
            AsyncTestClient(worker("b", redis_server.url, prefix, seen)) as second:
        assert time.monotonic() - started < 5  # start-up did not fail, nor wait on Redis for long
        assert "cannot receive events from other workers yet" in caplog.text

        lost = await first.post("/clear/during")
        assert lost.status_code == 200
        assert lost.json()["published_to"] == 0 and "unreachable" in lost.json()["errors"][0]
        assert seen == [("a", "during")]  # this worker's listeners still ran

        redis_server.restart()
        with anyio.fail_after(20):  # both workers subscribe once Redis is back
            while (await first.post("/clear/probe")).json()["published_to"] < 2:
                await anyio.sleep(0.1)
        assert (await second.post("/clear/after")).json() == {"published_to": 2, "errors": []}

        def after() -> list[Any]:  # probes may still be arriving: look at this event only
            return sorted(entry for entry in seen if entry[1] == "after")

        with anyio.fail_after(10):
            while len(after()) < 2:
                await anyio.sleep(0.02)
        await anyio.sleep(0.2)  # a duplicate would arrive by now
        assert after() == [("a", "after"), ("b", "after")]
    assert "receives events from other workers again" in caplog.text
