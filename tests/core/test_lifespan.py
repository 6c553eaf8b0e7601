"""Start-up and shutdown: hooks (decorator and list forms, sync and async), the lifespan context
manager, and failures reported through the ASGI lifespan protocol."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from nexios import get_application
from nexios_core.app import App
from nexios_core.types import Message

pytestmark = pytest.mark.anyio


async def drive_lifespan(app: Any, *, shutdown: bool = True) -> list[Message]:
    """Play the server's side of the ASGI lifespan protocol and return what the app sent."""
    to_app: list[Message] = [{"type": "lifespan.startup"}]
    from_app: list[Message] = []
    started = anyio.Event()

    async def receive() -> Message:
        if to_app:
            return to_app.pop(0)
        await started.wait()
        if shutdown:
            return {"type": "lifespan.shutdown"}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        from_app.append(message)
        if message["type"].startswith("lifespan.startup."):
            started.set()

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    with anyio.fail_after(5):
        try:
            await app(scope, receive, send)
        except BaseException:
            from_app.append({"type": "<raised>"})
    return from_app


async def test_decorator_and_list_hooks_sync_and_async() -> None:
    log: list[str] = []

    def sync_start() -> None:
        log.append("list-sync-start")

    async def async_stop() -> None:
        log.append("list-async-stop")

    app = get_application(on_startup=[sync_start], on_shutdown=[async_stop])

    @app.on_startup
    async def async_start() -> None:
        log.append("decorated-async-start")

    @app.on_shutdown
    def sync_stop() -> None:
        log.append("decorated-sync-stop")

    sent = await drive_lifespan(app)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert log == ["list-sync-start", "decorated-async-start", "list-async-stop", "decorated-sync-stop"]
    assert async_start is not None and sync_stop is not None  # decorators hand the function back


async def test_lifespan_context_manager_sets_state_and_cleans_up() -> None:
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
        log.append("enter")
        yield {"db": "connection"}
        log.append("exit")

    app = get_application(lifespan=lifespan)

    @app.on_startup
    def hook() -> None:
        log.append("startup-hook")

    @app.on_shutdown
    def stop_hook() -> None:
        log.append("shutdown-hook")

    sent = await drive_lifespan(app)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert app.state.db == "connection"
    assert log == ["startup-hook", "enter", "shutdown-hook", "exit"]


async def test_failing_startup_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    app = App()
    ran_after: list[str] = []

    @app.on_startup
    async def broken() -> None:
        raise ConnectionError("database unreachable")

    @app.on_startup
    def never() -> None:
        ran_after.append("ran")

    caplog.set_level(logging.ERROR)
    sent = await drive_lifespan(app)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "database unreachable" in sent[0]["message"]
    assert len(sent) == 1
    assert ran_after == []
    assert any("start-up failed" in r.getMessage() for r in caplog.records)


async def test_failing_lifespan_context_is_reported() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        raise RuntimeError("no config")
        yield  # pragma: no cover

    sent = await drive_lifespan(App(lifespan=lifespan))
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "no config" in sent[0]["message"]


async def test_failing_shutdown_is_reported() -> None:
    app = App()

    @app.on_shutdown
    def broken() -> None:
        raise OSError("flush failed")

    sent = await drive_lifespan(app)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.failed"]
    assert "flush failed" in sent[1]["message"]


async def test_run_lifespan_directly() -> None:
    log: list[str] = []
    app = App(on_startup=[lambda: log.append("up")], on_shutdown=[lambda: log.append("down")])
    async with app.run_lifespan():
        assert log == ["up"]
    assert log == ["up", "down"]


async def test_sync_hook_returning_an_awaitable_is_awaited() -> None:
    log: list[str] = []

    async def later() -> None:
        log.append("awaited")

    app = App(on_startup=[lambda: later()])
    sent = await drive_lifespan(app)
    assert sent[0]["type"] == "lifespan.startup.complete"
    assert log == ["awaited"]
