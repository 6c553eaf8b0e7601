"""The core app under real uvicorn, over a real socket (tests/support/live_server.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.limits import KIB, Limits
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.websocket import WebSocket
from tests.support.live_server import live_server, run_live_server

STARTUP_EVENTS: list[str] = []


async def hello(request: Request, response: Response) -> Any:
    return {"path": request.path, "query": dict(request.query_params), "started": STARTUP_EVENTS}


async def echo(ws: WebSocket) -> None:
    if ws.path == "/refuse":
        await ws.close(code=4003)
        return
    await ws.accept(subprotocol=ws.subprotocols[0] if ws.subprotocols else None)
    async for text in ws:
        await ws.send_text(f"echo: {text}")


def make_app() -> App:
    return App(
        dispatcher=HandlerDispatcher(http=hello, websocket=echo),
        on_startup=[lambda: STARTUP_EVENTS.append("startup")],
    )


# Import strings for the child-process mode.
app = make_app()


def _fail() -> None:
    raise RuntimeError("cannot start")


failing_app = App(dispatcher=HandlerDispatcher(http=hello), on_startup=[_fail])


def test_http_request_under_uvicorn_in_a_thread() -> None:
    STARTUP_EVENTS.clear()
    with run_live_server(make_app()) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.get(f"{base_url}/hello?name=x", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"path": "/hello", "query": {"name": "x"}, "started": ["startup"]}


def test_websocket_echo_under_uvicorn() -> None:
    with live_server(make_app()) as server:
        with connect(f"{server.ws_url}/ws", subprotocols=["chat"], open_timeout=5) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == "chat"
            ws.send("ping")
            assert ws.recv(timeout=5) == "echo: ping"
            ws.send("pong")
            assert ws.recv(timeout=5) == "echo: pong"


def test_websocket_refused_before_accept_is_a_403_under_uvicorn() -> None:
    with live_server(make_app()) as server:
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{server.ws_url}/refuse", open_timeout=5)
    assert refused.value.response.status_code == 403


def test_websocket_message_size_limit_under_uvicorn() -> None:
    async def sized_echo(ws: WebSocket) -> None:
        ws.scope["nexios.limits"] = Limits(max_websocket_message_size=4 * KIB)
        await echo(ws)

    with live_server(App(dispatcher=HandlerDispatcher(websocket=sized_echo))) as server:
        with connect(f"{server.ws_url}/ws", open_timeout=5) as ws:
            ws.send("x" * (4 * KIB))
            assert ws.recv(timeout=5) == "echo: " + "x" * (4 * KIB)
            ws.send("x" * (4 * KIB + 1))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_live_server_fixture(live_server: Callable[..., str]) -> None:
    base_url = live_server(make_app())
    assert httpx.get(f"{base_url}/fixture", timeout=5).json()["path"] == "/fixture"


def test_import_string_runs_in_a_child_process_and_stops_gracefully() -> None:
    with live_server("tests.core.test_live_server_basics:app") as server:
        assert server.process is not None
        response = httpx.get(f"{server.base_url}/child", timeout=5)
        assert response.json() == {"path": "/child", "query": {}, "started": ["startup"]}
        with connect(f"{server.ws_url}/ws", open_timeout=5) as ws:
            ws.send("from child")
            assert ws.recv(timeout=5) == "echo: from child"
        server.stop()
        assert server.process.returncode == 0
        output = server.output()
    assert "Application startup complete" in output
    assert "Finished server process" in output


def test_child_process_startup_failure_is_reported() -> None:
    with pytest.raises(RuntimeError, match="cannot start"):
        with run_live_server("tests.core.test_live_server_basics:failing_app", startup_timeout=15):
            pass  # pragma: no cover - never reached


def test_thread_startup_failure_is_reported() -> None:
    with pytest.raises(RuntimeError, match="start-up"):
        with run_live_server(failing_app):
            pass  # pragma: no cover - never reached
