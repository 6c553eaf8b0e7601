"""Clients that leave mid-request under real uvicorn (issue 5): a client that sends its headers
and half of the body, then closes; one that reads the first chunk of a stream, then closes. The
handler stops (its body read fails, or its generator is cancelled), generator dependencies are
closed, and nothing is logged at WARNING or above: a client leaving is not a server error.

The server runs in a thread of the test process, so the app records into plain lists.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import pytest

from nexios import Depend, get_application
from nexios_core.request import Request
from nexios_core.responses import Response

pytestmark = pytest.mark.anyio

LiveServer = Callable[..., str]
QUIET = {"log_config": None, "log_level": "warning"}  # uvicorn's records propagate to caplog


def noisy_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.01)


def open_socket(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    return socket.create_connection((parts.hostname, parts.port), timeout=5)


def send_half_a_body_and_leave(base_url: str, head: str, body_part: bytes) -> None:
    with open_socket(base_url) as sock:
        sock.sendall(head.encode("latin-1") + body_part)
        # Wait until the handler has the first bytes (it records that), then vanish.
        sock.settimeout(0.3)
        try:
            sock.recv(1)  # nothing comes: the server is waiting for the rest of the body
        except TimeoutError:
            pass


def read_first_chunk_and_leave(base_url: str, path: str) -> bytes:
    host = urlsplit(base_url).netloc
    with open_socket(base_url) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        received = b""
        while b"tick" not in received:
            received += sock.recv(4096)
        return received


def app_recording(events: list[str]) -> Any:
    app = get_application()

    async def resource() -> AsyncIterator[str]:
        events.append("resource-open")
        try:
            yield "resource"
        except BaseException as exc:
            events.append(f"resource-saw {type(exc).__name__}")
            raise
        finally:
            await anyio.sleep(0)  # cleanup that awaits still completes
            events.append("resource-closed")

    @app.post("/raw")
    async def raw(request: Request, response: Response, held: str = Depend(resource)) -> Any:
        events.append("handler-reading")
        try:
            body = await request.body
        except BaseException as exc:
            events.append(f"handler-stopped {type(exc).__name__}")
            raise
        events.append("handler-finished")  # never reached: the client left
        return {"size": len(body)}

    @app.post("/form")
    async def form(request: Request, response: Response, held: str = Depend(resource)) -> Any:
        events.append("handler-reading")
        try:
            parsed = await request.form
        except BaseException as exc:
            events.append(f"handler-stopped {type(exc).__name__}")
            raise
        events.append("handler-finished")
        return {"fields": len(parsed)}

    @app.get("/stream")
    async def stream(request: Request, response: Response, held: str = Depend(resource)) -> Any:
        async def ticks() -> AsyncIterator[bytes]:
            try:
                while True:
                    events.append("tick")
                    yield b"tick\n"
                    await anyio.sleep(0.01)
            except BaseException as exc:
                events.append(f"stream-stopped {type(exc).__name__}")
                raise

        response.add_background_task(lambda: events.append("background-ran"))
        return response.stream(ticks())

    return app


async def leave_mid_body_and_check_the_handler_stopped(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture, head_for: Callable[[str], str], sent: bytes
) -> None:
    """Send ``head_for(host)`` and part of a body, leave, and check what the app went through."""
    caplog.set_level(logging.DEBUG)
    events: list[str] = []
    base_url = live_server(app_recording(events), **QUIET)
    head = head_for(urlsplit(base_url).netloc)
    await anyio.to_thread.run_sync(send_half_a_body_and_leave, base_url, head, sent)
    await wait_until(lambda: "resource-closed" in events)
    assert events == [
        "resource-open", "handler-reading", "handler-stopped ClientDisconnect",
        "resource-saw ClientDisconnect", "resource-closed",
    ]
    assert noisy_records(caplog) == []


async def test_client_leaving_mid_body_stops_the_handler_and_closes_its_dependencies(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    def head_for(host: str) -> str:
        return (f"POST /raw HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n"
                "Content-Length: 100000\r\n\r\n")

    await leave_mid_body_and_check_the_handler_stopped(live_server, caplog, head_for, b"x" * 50_000)


async def test_client_leaving_mid_multipart_upload_stops_the_parse_and_closes_dependencies(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    # A file part bigger than the spool threshold is on its way to disk when the client leaves.
    part_head = (b'--XyZ\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\n'
                 b"Content-Type: application/octet-stream\r\n\r\n")
    sent = part_head + b"\x00" * (1_300_000)

    def head_for(host: str) -> str:
        return (f"POST /form HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
                f"Content-Length: {len(sent) + 2_000_000}\r\n\r\n")

    await leave_mid_body_and_check_the_handler_stopped(live_server, caplog, head_for, sent)


async def test_client_leaving_mid_stream_cancels_the_generator_and_closes_dependencies(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[str] = []
    base_url = live_server(app_recording(events), **QUIET)
    first = await anyio.to_thread.run_sync(read_first_chunk_and_leave, base_url, "/stream")
    assert first.startswith(b"HTTP/1.1 200 OK")
    await wait_until(lambda: "resource-closed" in events)
    ticks_when_closed = events.count("tick")
    await anyio.sleep(0.2)
    assert events.count("tick") == ticks_when_closed  # nothing produces for a gone client
    assert [e for e in events if e != "tick"] == [
        "resource-open", "stream-stopped CancelledError", "resource-closed",
    ]
    assert "background-ran" not in events  # the response never completed
    assert noisy_records(caplog) == []


async def test_many_clients_leaving_at_once_leave_the_server_healthy(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[str] = []
    base_url = live_server(app_recording(events), **QUIET)
    host = urlsplit(base_url).netloc
    head = f"POST /raw HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5000\r\n\r\n"
    async with anyio.create_task_group() as group:
        for index in range(40):
            if index % 2:
                group.start_soon(anyio.to_thread.run_sync, read_first_chunk_and_leave, base_url, "/stream")
            else:
                group.start_soon(anyio.to_thread.run_sync, send_half_a_body_and_leave, base_url, head, b"y" * 100)
    await wait_until(lambda: events.count("resource-closed") == 40)
    assert events.count("resource-open") == 40
    assert events.count("handler-stopped ClientDisconnect") == 20
    assert events.count("stream-stopped CancelledError") == 20
    assert noisy_records(caplog) == []


async def test_client_leaving_is_not_reported_to_a_catch_all_exception_handler(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Apps often register a handler for Exception that reports to an error tracker; a client
    # that went away is not an error of the app and must not reach it (with middleware present,
    # errors are turned into responses inside the chain).
    caplog.set_level(logging.DEBUG)
    events: list[str] = []
    app = app_recording(events)

    @app.middleware
    async def passthrough(request: Request, response: Response, call_next: Any) -> Any:
        return await call_next()

    @app.exception_handler(Exception)
    async def report(request: Request, response: Response, exc: Exception) -> Any:
        events.append(f"reported {type(exc).__name__}")
        return response.status(500).json({"detail": "reported"})

    base_url = live_server(app, **QUIET)
    host = urlsplit(base_url).netloc
    head = f"POST /raw HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100000\r\n\r\n"
    await anyio.to_thread.run_sync(send_half_a_body_and_leave, base_url, head, b"x" * 1000)
    await wait_until(lambda: "resource-closed" in events)
    await anyio.sleep(0.1)
    assert not [e for e in events if e.startswith("reported")]
    assert noisy_records(caplog) == []
