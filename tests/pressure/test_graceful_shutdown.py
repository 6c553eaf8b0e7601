"""Graceful shutdown (issue 5): on SIGTERM in-flight requests finish, shutdown hooks run, and open
WebSockets are closed properly: 1001 ("going away") from the app at lifespan shutdown, or 1012
("service restart") from plain uvicorn, which closes them itself before the lifespan shutdown.

The uvicorn tests run the server in a child process (signals reach only a main thread), which
records what it did to a log file named by an environment variable.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from nexios import get_application
from nexios_core.exceptions import WebSocketDisconnect
from nexios_core.types import Message
from nexios_core.websocket import WebSocket
from tests.pressure.shutdown_app import LOG_ENVIRONMENT_VARIABLE
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def event_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the child server records its events to (the child inherits the variable)."""
    path = tmp_path / "events.log"
    path.touch()
    monkeypatch.setenv(LOG_ENVIRONMENT_VARIABLE, str(path))
    return path


@pytest.fixture
def child_server() -> Iterator[list[LiveServer]]:
    started: list[LiveServer] = []
    yield started
    for server in started:
        server.close()


def events(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines()


async def wait_for_event(log: Path, event: str, timeout: float = 10.0) -> None:
    with anyio.fail_after(timeout):
        while event not in events(log):
            await anyio.sleep(0.02)


async def sigterm_during_a_slow_request(
    import_string: str, log: Path, started: list[LiveServer]
) -> tuple[httpx.Response, ConnectionClosed, int, str]:
    """Open a WebSocket, start a slow request, send SIGTERM; return the slow answer, how the
    WebSocket was closed, the exit code and the server's output."""
    server = LiveServer(import_string, log_level="info", shutdown_timeout=15.0)
    started.append(server)
    server.start()
    process = server.process
    assert process is not None
    answers: list[httpx.Response] = []
    async with connect(server.ws_url + "/ws") as websocket:
        await websocket.send("hello")
        assert await websocket.recv() == "resource:hello"
        async with httpx.AsyncClient(base_url=server.base_url, timeout=15) as client:
            async with anyio.create_task_group() as group:

                async def slow_request() -> None:
                    answers.append(await client.get("/slow"))

                group.start_soon(slow_request)
                await wait_for_event(log, "slow-started")
                process.send_signal(signal.SIGTERM)
                with pytest.raises(ConnectionClosed) as closed, anyio.fail_after(10):
                    await websocket.recv()
                # The listening socket is closed by now: nobody new gets in during the drain.
                with pytest.raises(httpx.ConnectError):
                    async with httpx.AsyncClient(base_url=server.base_url) as newcomer:
                        await newcomer.get("/slow")
    exit_code = await anyio.to_thread.run_sync(process.wait, 15)
    return answers[0], closed.value, exit_code, server.output()


def assert_clean_exit(exit_code: int, output: str) -> None:
    # uvicorn re-raises the signal once it has shut down, so a clean exit is "killed by SIGTERM"
    # (0 with older releases); what matters is that shutdown completed without errors.
    assert exit_code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output
    assert "Traceback" not in output, output
    assert "ERROR" not in output, output


async def test_sigterm_lets_in_flight_requests_finish_and_runs_shutdown_hooks(
    event_log: Path, child_server: list[LiveServer]
) -> None:
    answer, closed, exit_code, output = await sigterm_during_a_slow_request(
        "tests.pressure.shutdown_app:app", event_log, child_server
    )
    assert answer.status_code == 200
    assert answer.json() == {"slow": "done"}
    log = events(event_log)
    hook = log.index("shutdown-hook open-websockets=0")
    assert log.index("slow-finished") < hook  # the request finished before shutdown began
    assert log.index("ws-resource-closed") < hook  # the WebSocket's dependency was cleaned up
    # Plain uvicorn closes WebSockets itself, with 1012, before the lifespan shutdown.
    assert closed.rcvd is not None and closed.rcvd.code == 1012
    assert "ws-disconnect code=1012" in log
    assert_clean_exit(exit_code, output)


async def test_sigterm_closes_websockets_with_1001_when_the_server_lets_the_app_close_them(
    event_log: Path, child_server: list[LiveServer]
) -> None:
    answer, closed, exit_code, output = await sigterm_during_a_slow_request(
        "tests.pressure.shutdown_app_first_word:app", event_log, child_server
    )
    assert answer.json() == {"slow": "done"}
    assert closed.rcvd is not None and closed.rcvd.code == 1001
    assert closed.rcvd.reason == "Server shutting down"
    log = events(event_log)
    hook = log.index("shutdown-hook open-websockets=0")
    assert log.index("ws-disconnect code=1001") < hook
    assert log.index("ws-resource-closed") < hook
    assert log.index("slow-finished") < hook
    assert_clean_exit(exit_code, output)


async def test_a_stream_that_never_ends_is_cancelled_after_the_grace_period_and_cleaned_up(
    event_log: Path, child_server: list[LiveServer]
) -> None:
    server = LiveServer("tests.pressure.shutdown_app:app", log_level="info", timeout_graceful_shutdown=1)
    child_server.append(server)
    server.start()
    assert server.process is not None
    async with httpx.AsyncClient(base_url=server.base_url, timeout=15) as client:
        async with client.stream("GET", "/forever") as answer:
            chunks = answer.aiter_raw()
            assert (await chunks.__anext__()).startswith(b"tick")
            server.process.send_signal(signal.SIGTERM)
            with anyio.fail_after(10):
                with pytest.raises(httpx.HTTPError):  # the server ends the endless response
                    async for _ in chunks:
                        pass
    exit_code = await anyio.to_thread.run_sync(server.process.wait, 15)
    output = server.output()
    assert exit_code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output
    # uvicorn reports the request it cancelled (with the CancelledError's traceback); nothing else.
    assert output.count("Traceback") == 1, output
    assert "CancelledError: Task cancelled, timeout graceful shutdown exceeded" in output, output
    log = events(event_log)
    hook = log.index("shutdown-hook open-websockets=0")
    assert log.index("stream-stopped") < hook
    assert log.index("stream-resource-closed") < hook  # the dependency's cleanup ran to its end


# --- the app's part, driven in-process through ASGI messages --------------------------------


class FakeWebSocketServer:
    """Plays the server's side of one WebSocket connection, as uvicorn would: connect first; after
    the app's close frame, the peer's closing handshake arrives as ``websocket.disconnect``."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self._incoming, self._queue = anyio.create_memory_object_stream[Message](10)
        self._incoming.send_nowait({"type": "websocket.connect"})

    async def receive(self) -> Message:
        return await self._queue.receive()

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        if message["type"] == "websocket.close":
            self._incoming.send_nowait({"type": "websocket.disconnect", "code": message["code"]})

    def client_says(self, text: str) -> None:
        self._incoming.send_nowait({"type": "websocket.receive", "text": text})

    @property
    def accepted(self) -> bool:
        return any(m["type"] == "websocket.accept" for m in self.sent)


def websocket_scope(path: str) -> dict[str, Any]:
    return {"type": "websocket", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
            "headers": [(b"host", b"testserver")], "scheme": "ws", "subprotocols": [],
            "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "asgi": {"version": "3.0"}}


async def test_lifespan_shutdown_closes_open_websockets_with_1001_before_the_shutdown_hooks() -> None:
    app = get_application()
    log: list[str] = []
    connections = [FakeWebSocketServer() for _ in range(3)]

    @app.websocket("/ws")
    async def hold(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect as exc:
            log.append(f"handler saw {exc.code}")
            raise

    @app.on_shutdown
    async def hook() -> None:
        closes = [m for c in connections for m in c.sent if m["type"] == "websocket.close"]
        log.append(f"hook: {len(closes)} closed with {sorted({m['code'] for m in closes})}")

    to_app, lifespan_receive = anyio.create_memory_object_stream[Message](4)
    from_app, lifespan_sent = anyio.create_memory_object_stream[Message](4)
    lifespan_scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(app, lifespan_scope, lifespan_receive.receive, from_app.send)
            await to_app.send({"type": "lifespan.startup"})
            assert (await lifespan_sent.receive())["type"] == "lifespan.startup.complete"
            for connection in connections:
                group.start_soon(app, websocket_scope("/ws"), connection.receive, connection.send)
            while not all(c.accepted for c in connections):
                await anyio.sleep(0.01)
            connections[0].client_says("still here")
            assert len(app.open_websockets) == 3
            await to_app.send({"type": "lifespan.shutdown"})
            assert (await lifespan_sent.receive())["type"] == "lifespan.shutdown.complete"
    assert "hook: 3 closed with [1001]" in log
    assert log.count("handler saw 1001") == 3
    for connection in connections:
        close = next(m for m in connection.sent if m["type"] == "websocket.close")
        assert close == {"type": "websocket.close", "code": 1001, "reason": "Server shutting down"}
    assert len(app.open_websockets) == 0


async def test_connections_that_ended_leave_nothing_behind_in_the_open_set() -> None:
    app = get_application()

    @app.websocket("/returns-without-closing")
    async def rude(websocket: WebSocket) -> None:
        await websocket.accept()  # and returns: the server closes the connection for it

    @app.websocket("/closes")
    async def polite(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close()

    @app.websocket("/fails")
    async def broken(websocket: WebSocket) -> None:
        await websocket.accept()
        raise RuntimeError("handler bug")

    for path in ("/returns-without-closing", "/closes", "/fails") * 20:
        connection = FakeWebSocketServer()
        with anyio.fail_after(5):
            await app(websocket_scope(path), connection.receive, connection.send)
        assert connection.accepted
    assert len(app.open_websockets) == 0
    assert await app.close_websockets() == 0


async def test_lifespan_shutdown_waits_for_requests_still_running_before_the_hooks() -> None:
    app = get_application()
    log: list[str] = []

    @app.get("/slow")
    async def slow(request: Any, response: Any) -> Any:
        await anyio.sleep(0.3)
        log.append("request finished")
        return {"ok": True}

    @app.on_shutdown
    async def hook() -> None:
        log.append(f"hook, {app.requests_in_flight} in flight")

    to_app, lifespan_receive = anyio.create_memory_object_stream[Message](4)
    from_app, lifespan_sent = anyio.create_memory_object_stream[Message](4)
    answers: list[Message] = []
    request_sent = False

    async def receive_request() -> Message:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send_answer(message: Message) -> None:
        answers.append(message)

    http_scope = {"type": "http", "method": "GET", "path": "/slow", "raw_path": b"/slow", "root_path": "",
                  "query_string": b"", "headers": [(b"host", b"testserver")], "scheme": "http",
                  "http_version": "1.1", "asgi": {"version": "3.0"}}
    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(app, {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                             lifespan_receive.receive, from_app.send)
            await to_app.send({"type": "lifespan.startup"})
            assert (await lifespan_sent.receive())["type"] == "lifespan.startup.complete"
            group.start_soon(app, http_scope, receive_request, send_answer)
            while app.requests_in_flight == 0:
                await anyio.sleep(0.01)
            await to_app.send({"type": "lifespan.shutdown"})  # a server that does not drain first
            assert (await lifespan_sent.receive())["type"] == "lifespan.shutdown.complete"
    assert log == ["request finished", "hook, 0 in flight"]
    assert answers[0]["status"] == 200
