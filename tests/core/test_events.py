"""Application events: ``EventEmitter`` and ``AsyncEventEmitter`` (``app.events``), priorities,
once, namespaces, isolation of listener errors, cancellation, hostile event names, and the app's
lifecycle events."""

from __future__ import annotations

import gc
import logging
import warnings
from typing import Any

import anyio
import pytest

from nexios import get_application
from nexios.events import (
    LIFECYCLE_EVENTS,
    AsyncEventEmitter,
    EventCancelledError,
    EventEmitter,
    EventPriority,
    InvalidEventName,
)
from nexios.testclient import TestClient
from nexios_core import WebSocketDisconnect, current_app

pytestmark = pytest.mark.anyio


def test_listeners_run_by_priority_then_in_the_order_added() -> None:
    events = EventEmitter()
    calls: list[str] = []
    events.on("tick", lambda: calls.append("normal-1"))
    events.on("tick", lambda: calls.append("lowest"), priority=EventPriority.LOWEST)
    events.on("tick", lambda: calls.append("highest"), priority=EventPriority.HIGHEST)
    events.on("tick", lambda: calls.append("medium"), priority=EventPriority.MEDIUM)  # the docs' NORMAL

    @events.on("tick", priority=EventPriority.HIGH)
    def high() -> None:
        calls.append("high")

    result = events.emit("tick")
    assert calls == ["highest", "high", "normal-1", "medium", "lowest"]
    assert result["listeners_executed"] == 5 and result["cancelled"] is False and result["errors"] == []
    assert len(result["event_id"]) == 32 and result["execution_time"] >= 0


def test_once_runs_once_and_arguments_reach_every_listener() -> None:
    events = EventEmitter()
    seen: list[tuple[str, Any]] = []

    @events.once("login")
    def first(user: str, *, admin: bool) -> None:
        seen.append(("first", (user, admin)))

    events.on("login", lambda user, admin: seen.append(("always", user)))
    events.emit("login", "ada", admin=True)
    events.emit("login", "bob", admin=False)
    assert seen == [("first", ("ada", True)), ("always", "ada"), ("always", "bob")]
    assert events.listener_count("login") == 1


def test_a_failing_listener_is_logged_and_the_next_one_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    events = EventEmitter()
    calls: list[str] = []

    def broken() -> None:
        raise ValueError("listener bug")

    events.on("save", broken)
    events.on("save", lambda: calls.append("after"))
    with caplog.at_level(logging.ERROR, logger="nexios.events"):
        result = events.emit("save")
    assert calls == ["after"]
    assert [type(error) for error in result["errors"]] == [ValueError]
    assert "broken" in caplog.text and "'save'" in caplog.text and "listener bug" in caplog.text


def test_cancelling_stops_the_remaining_listeners_and_is_raised() -> None:
    events = EventEmitter()
    calls: list[str] = []

    def veto() -> None:
        calls.append("veto")
        raise EventCancelledError("no")

    events.on("delete", veto, priority=EventPriority.HIGH)
    events.on("delete", lambda: calls.append("never"))
    with pytest.raises(EventCancelledError):
        events.emit("delete")
    assert calls == ["veto"]


def test_removing_listeners() -> None:
    events = EventEmitter()
    calls: list[str] = []

    def a() -> None:
        calls.append("a")

    def b() -> None:
        calls.append("b")

    events.on("x", a)
    events.on("x", b)
    events.on("y", a)
    assert events.remove_listener("x", a) is True and events.remove_listener("x", a) is False
    events.emit("x")
    events.off("x")  # every listener of x
    events.emit("x")
    assert calls == ["b"] and events.event_names() == ["y"]
    events.remove_all_listeners()
    assert events.event_names() == []


def test_a_weakly_held_listener_goes_with_its_object() -> None:
    events = EventEmitter()
    calls: list[str] = []

    class Widget:
        def refresh(self) -> None:
            calls.append("refresh")

    widget = Widget()
    events.on("redraw", widget.refresh, weak_ref=True)
    events.emit("redraw")
    del widget
    gc.collect()
    result = events.emit("redraw")
    assert calls == ["refresh"] and result["listeners_executed"] == 0 and events.listener_count("redraw") == 0


def test_namespaces_prefix_names() -> None:
    events = EventEmitter()
    ui = events.namespace("ui")
    clicks: list[str] = []
    ui.on("click", clicks.append)
    ui.emit("click", "save")
    events.emit("ui:click", "cancel")
    ui.namespace("dialog").on("open", clicks.append)
    events.emit("ui:dialog:open", "help")
    assert clicks == ["save", "cancel", "help"]


@pytest.mark.parametrize("name", ["", "x" * 201, "user created", "line\nbreak", "nul\x00", "\u202e", 42, None])
def test_hostile_event_names_are_refused_where_they_are_used(name: Any) -> None:
    events = AsyncEventEmitter()
    with pytest.raises(InvalidEventName):
        events.on(name, print)
    with pytest.raises(InvalidEventName):
        events.emit(name)
    with pytest.raises(InvalidEventName):
        events.namespace(name)


async def test_emitting_many_unknown_names_keeps_nothing() -> None:
    events = AsyncEventEmitter()
    for number in range(20_000):
        result = await events.emit(f"client.supplied.{number}")
        assert result["listeners_executed"] == 0
    assert events.event_names() == [] and events.listeners("client.supplied.1") == []


async def test_an_awaited_async_emit_runs_listeners_in_order_one_after_the_other() -> None:
    events = AsyncEventEmitter()
    calls: list[str] = []

    @events.on("order.paid", priority=EventPriority.HIGH)
    async def charge(order: int) -> None:
        calls.append(f"charge-start-{order}")
        await anyio.sleep(0.05)
        calls.append(f"charge-end-{order}")

    @events.on("order.paid")
    def receipt(order: int) -> None:
        calls.append(f"receipt-{order}")

    result = await events.emit("order.paid", 7)
    assert calls == ["charge-start-7", "charge-end-7", "receipt-7"] and result["listeners_executed"] == 2
    assert (await events.emit_async("order.paid", 8))["listeners_executed"] == 2


async def test_an_emit_not_awaited_runs_in_the_background() -> None:
    events = AsyncEventEmitter()
    done = anyio.Event()
    calls: list[int] = []

    @events.on("ping")
    async def pong(number: int) -> None:
        calls.append(number)
        done.set()

    events.emit("ping", 1)  # upstream style: not awaited
    assert calls == []  # started on the next turn of the loop, not inside emit()
    with anyio.fail_after(5):
        await done.wait()
    assert calls == [1] and await events.wait_background(5)


async def test_a_sync_emitter_starts_async_listeners_as_tasks() -> None:
    events = EventEmitter()
    done = anyio.Event()

    async def later() -> None:
        done.set()

    events.on("x", later)
    result = events.emit("x")
    with anyio.fail_after(5):
        await done.wait()
    assert result["listeners_executed"] == 1


def test_without_an_event_loop_async_listeners_are_a_clear_error() -> None:
    events = EventEmitter()

    async def later() -> None: ...

    events.on("x", later)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine was never awaited"
        with pytest.raises(RuntimeError, match="needs a running event loop"):
            events.emit("x")
    app_events = AsyncEventEmitter()
    app_events.on("y", later)
    with pytest.raises(RuntimeError, match="emit it from async code"):
        app_events.emit("y")
    app_events.on("z", print)
    assert app_events.emit("z") is not None  # sync listeners only: run at once


def test_the_app_emits_its_lifecycle_and_request_errors(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()
    seen: list[Any] = []
    app.on_startup(lambda: seen.append("startup hook"))
    app.on_shutdown(lambda: seen.append("shutdown hook"))
    app.events.on("app.startup", lambda started: seen.append(("app.startup", started is app)))
    app.events.on("app.shutdown", lambda stopping: seen.append(("app.shutdown", stopping is app)))
    app.events.on("request.error", lambda request, exc: seen.append(("request.error", request.url.path, str(exc))))

    @app.events.on("app.startup")
    def broken_listener(started: Any) -> None:
        raise RuntimeError("a listener bug does not stop the app")

    @app.get("/boom")
    async def boom(request: Any, response: Any) -> None:
        raise LookupError("kaboom")

    @app.get("/missing")
    async def missing(request: Any, response: Any) -> None:
        from nexios.exceptions import NotFoundException

        raise NotFoundException()

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
        assert client.get("/missing").status_code == 404  # answered on purpose: not an error event
    assert seen == ["startup hook", ("app.startup", True), ("request.error", "/boom", "kaboom"),
                    ("app.shutdown", True), "shutdown hook"]
    assert set(LIFECYCLE_EVENTS) == {"app.startup", "app.shutdown", "request.error", "websocket.error"}


def test_a_websocket_error_is_emitted() -> None:
    app = get_application()
    seen: list[Any] = []
    app.events.on("websocket.error", lambda connection, exc: seen.append((connection.url.path, str(exc))))

    @app.websocket("/ws")
    async def broken(ws: Any) -> None:
        await ws.accept()
        raise KeyError("socket bug")

    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1011 and seen == [("/ws", "'socket bug'")]


def test_awaited_listeners_run_in_the_request_and_background_ones_finish_before_shutdown_hooks() -> None:
    app = get_application()
    seen: list[Any] = []

    @app.events.on("user.created")
    async def welcome(name: str) -> None:
        seen.append(("listener sees the app", current_app() is app))
        await anyio.sleep(0.2)
        seen.append(f"welcomed {name}")

    app.on_shutdown(lambda: seen.append("shutdown hook"))

    @app.post("/users/{name}")
    async def create(request: Any, response: Any, name: str) -> Any:
        if name == "ada":
            await app.events.emit("user.created", name)  # awaited: done before the answer
        else:
            app.events.emit("user.created", name)  # upstream style: in the background
        return {"created": name}

    with TestClient(app) as client:
        client.post("/users/ada")
        assert seen == [("listener sees the app", True), "welcomed ada"]
        client.post("/users/bob")
    assert seen[2:] == [("listener sees the app", False), "welcomed bob", "shutdown hook"]
