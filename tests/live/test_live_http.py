"""The core under real uvicorn over a socket: concurrency isolation, streaming, disconnects,
lifespan, HEAD, body limits on chunked and declared bodies, and malformed bodies (SECURITY.md)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import random
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import httpx
import pytest

from nexios import get_application
from nexios_core.limits import MIB
from nexios_core.request import Request
from nexios_core.responses import Response
from tests.support.live_server import run_live_server

pytestmark = pytest.mark.anyio

LiveServer = Callable[..., str]

# Without a log config of its own, uvicorn's loggers propagate to the root logger, where caplog
# sees them (uvicorn's default config stops "uvicorn.error" records before they get there).
QUIET = {"log_config": None, "log_level": "warning"}


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def raw_exchange(base_url: str, request: bytes, *, timeout: float = 5.0) -> bytes:
    """Send ``request`` bytes on a fresh socket and read until the server closes it."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


# --- (1) request isolation under load -------------------------------------------------------


async def test_500_concurrent_requests_each_get_their_own_answer(live_server: LiveServer) -> None:
    app = get_application()
    in_flight = 0
    peak = 0

    @app.post("/users/{user_id:int}")
    async def echo(request: Request, response: Response, user_id: int) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            body = await request.json
            await anyio.sleep(random.random() * 0.05)  # shuffle completion order
            request.state.seen = user_id
            response.set_header("x-user", str(user_id))
            return {"id": user_id, "q": request.query_params["q"], "body": body,
                    "state": request.state.seen, "token": request.headers["x-token"]}
        finally:
            in_flight -= 1

    base_url = live_server(app, **QUIET)
    count = 600
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    answers: dict[int, httpx.Response] = {}
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            payload = {"n": i, "text": f"body-{i}", "items": list(range(i % 13))}
            answers[i] = await client.post(
                f"/users/{i}", params={"q": f"query-{i}"}, json=payload,
                headers={"x-token": f"tok-{i}"},
            )

        async with anyio.create_task_group() as group:
            for i in range(count):
                group.start_soon(one, i)

    assert len(answers) == count
    for i, answer in answers.items():
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "id": i, "q": f"query-{i}",
            "body": {"n": i, "text": f"body-{i}", "items": list(range(i % 13))},
            "state": i, "token": f"tok-{i}",
        }
        assert answer.headers["x-user"] == str(i)
    assert peak > 50  # the requests really were served concurrently


# --- (2) streaming ----------------------------------------------------------------------------


async def test_streaming_response_arrives_incrementally(live_server: LiveServer) -> None:
    release = threading.Event()
    finished = threading.Event()
    app = get_application()

    @app.get("/stream")
    async def stream(request: Request, response: Response) -> Any:
        async def produce() -> AsyncIterator[bytes]:
            yield b"first|"
            while not release.is_set():  # held open until the client has seen the first chunk
                await anyio.sleep(0.01)
            yield b"second|"
            yield b"third"
            finished.set()

        return response.stream(produce(), content_type="text/plain")

    base_url = live_server(app, **QUIET)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        async with client.stream("GET", "/stream") as answer:
            assert answer.status_code == 200
            assert "content-length" not in answer.headers
            assert answer.headers["transfer-encoding"] == "chunked"
            chunks = answer.aiter_raw()
            with anyio.fail_after(5):
                first = await chunks.__anext__()
            assert first == b"first|"
            assert not finished.is_set()  # the generator is still running
            release.set()
            rest = b"".join([chunk async for chunk in chunks])
    assert rest == b"second|third"
    assert finished.is_set()


async def test_sse_over_a_real_socket(live_server: LiveServer) -> None:
    app = get_application()

    @app.get("/events")
    async def events(request: Request, response: Response) -> Any:
        async def produce() -> AsyncIterator[Any]:
            yield {"n": 1}
            await anyio.sleep(0.3)  # long enough for pings
            yield "two\nlines"

        return response.sse(produce(), ping_interval=0.1)

    base_url = live_server(app, **QUIET)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        answer = await client.get("/events")
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.text.startswith('data: {"n":1}\n\n: ping\n\n')
    assert answer.text.endswith("data: two\ndata: lines\n\n")


# --- (3) client disconnect ----------------------------------------------------------------------


async def test_client_disconnect_cancels_the_generator_quietly(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    cleaned_up = threading.Event()
    background_ran = threading.Event()
    produced = 0
    app = get_application()

    @app.get("/forever")
    async def forever(request: Request, response: Response) -> Any:
        async def produce() -> AsyncIterator[bytes]:
            nonlocal produced
            try:
                while True:
                    produced += 1
                    yield b"tick\n"
                    await anyio.sleep(0.02)
            finally:
                cleaned_up.set()

        response.add_background_task(background_ran.set)
        return response.stream(produce())

    caplog.set_level(logging.WARNING)
    base_url = live_server(app, **QUIET)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        async with client.stream("GET", "/forever") as answer:
            chunks = answer.aiter_raw()
            assert (await chunks.__anext__()).startswith(b"tick")
        # Leaving the block closes the half-read response's connection.
    with anyio.fail_after(5):
        while not cleaned_up.is_set():
            await anyio.sleep(0.02)
    count_after_cleanup = produced
    await anyio.sleep(0.2)
    assert produced == count_after_cleanup  # nothing keeps producing for a gone client
    assert not background_ran.is_set()  # the response was never completed
    assert error_records(caplog) == []


async def test_server_errors_do_reach_caplog(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Guards the "no error logs" assertions above: they would pass vacuously if records from the
    # server thread never reached caplog.
    app = get_application()

    @app.get("/fails")
    async def fails(request: Request, response: Response) -> Any:
        raise ZeroDivisionError("kaboom")

    caplog.set_level(logging.WARNING)
    base_url = live_server(app, **QUIET)
    async with httpx.AsyncClient(base_url=base_url) as client:
        answer = await client.get("/fails", headers={"accept": "text/html"})
    assert answer.status_code == 500
    assert "kaboom" not in answer.text
    request_id = answer.json()["request_id"]
    errors = error_records(caplog)
    assert len(errors) == 1
    assert request_id in errors[0].getMessage()


# --- (4) lifespan ------------------------------------------------------------------------------


async def test_lifespan_hooks_run_under_uvicorn() -> None:
    log: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
        log.append("lifespan-enter")
        yield {"pool": "ready"}
        log.append("lifespan-exit")

    app = get_application(lifespan=lifespan)

    @app.on_startup
    async def start() -> None:
        log.append("startup")

    @app.on_shutdown
    def stop() -> None:
        log.append("shutdown")

    @app.get("/state")
    async def state(request: Request, response: Response) -> Any:
        return {"pool": request.app.state.pool, "log": list(log)}

    with run_live_server(app, **QUIET) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            answer = await client.get("/state")
        assert log == ["startup", "lifespan-enter"]
    assert answer.json() == {"pool": "ready", "log": ["startup", "lifespan-enter"]}
    assert log == ["startup", "lifespan-enter", "shutdown", "lifespan-exit"]


# --- (5) HEAD ----------------------------------------------------------------------------------


async def test_head_on_a_get_route_has_length_but_no_body(live_server: LiveServer) -> None:
    app = get_application()

    @app.get("/doc")
    async def doc(request: Request, response: Response) -> Any:
        return {"title": "x" * 50}

    base_url = live_server(app, **QUIET)
    async with httpx.AsyncClient(base_url=base_url) as client:
        get = await client.get("/doc")
    host = urlsplit(base_url).netloc
    raw = await anyio.to_thread.run_sync(
        raw_exchange, base_url,
        f"HEAD /doc HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
    )
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:])
    }
    assert headers[b"content-length"] == str(len(get.content)).encode()
    assert headers[b"content-type"] == b"application/json"
    assert rest == b""  # not one body byte on the wire


# --- (6) and (7) body limits -----------------------------------------------------------------


def body_app() -> Any:
    app = get_application()
    app.state.handled = 0

    @app.post("/upload")
    async def upload(request: Request, response: Response) -> Any:
        app.state.handled += 1
        return {"size": len(await request.body)}

    @app.post("/json")
    async def as_json(request: Request, response: Response) -> Any:
        return {"data": await request.json}

    @app.post("/form")
    async def as_form(request: Request, response: Response) -> Any:
        return {"fields": list(await request.form)}

    return app


async def generated(total: int, chunk: int = 32 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        size = min(chunk, total - sent)
        sent += size
        yield b"a" * size


async def test_chunked_body_at_and_over_the_limit(live_server: LiveServer) -> None:
    base_url = live_server(body_app(), **QUIET)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        just_under = await client.post("/upload", content=generated(MIB - 1))
        at_limit = await client.post("/upload", content=generated(MIB))
        just_over = await client.post("/upload", content=generated(MIB + 1))
        far_over = await client.post("/upload", content=generated(20 * MIB))
        after = await client.post("/upload", content=b"ok")
    assert just_under.request.headers.get("content-length") is None
    assert just_under.request.headers["transfer-encoding"] == "chunked"
    assert (just_under.status_code, just_under.json()) == (200, {"size": MIB - 1})
    assert (at_limit.status_code, at_limit.json()) == (200, {"size": MIB})
    assert just_over.status_code == 413
    assert "detail" in just_over.json()
    assert far_over.status_code == 413
    assert after.json() == {"size": 2}  # the server is fine afterwards


async def test_declared_length_over_the_limit_is_refused_without_reading(
    live_server: LiveServer,
) -> None:
    app = body_app()
    base_url = live_server(app, **QUIET)
    host = urlsplit(base_url).netloc
    # Only the headers are sent: a server that tried to read the body would wait forever and the
    # socket timeout would fail the test.
    over = await anyio.to_thread.run_sync(
        raw_exchange, base_url,
        (f"POST /upload HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n"
         f"Content-Length: {MIB + 1}\r\nConnection: close\r\n\r\n").encode(),
    )
    status_line, _, _ = over.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), over[:200]
    assert json.loads(over.partition(b"\r\n\r\n")[2])["detail"]

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        at_limit = await client.post("/upload", content=b"z" * MIB)
        just_over = await client.post("/upload", content=b"z" * (MIB + 1))
    assert (at_limit.status_code, at_limit.json()) == (200, {"size": MIB})
    assert just_over.status_code == 413


# --- (8) malformed bodies ------------------------------------------------------------------------

MALFORMED: list[tuple[str, str, bytes]] = [
    ("/json", "application/json", b'{"unterminated": '),
    ("/json", "application/json", b"[NaN]"),
    ("/json", "application/json", b'"\\ud800"'),
    ("/json", "application/json", b"\xff\xfe{}"),
    ("/json", "application/json", b"[" * 1025 + b"]" * 1025),
    ("/json", "application/json", b"9" * 4301),
    ("/json", "application/json", b""),
    ("/form", "multipart/form-data; boundary=abc", b"not a multipart body"),
    ("/form", "multipart/form-data; boundary=abc",
     b'--abc\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'),
    ("/form", "multipart/form-data", b"--abc\r\n\r\n--abc--\r\n"),
    ("/form", "multipart/form-data; boundary=" + "q" * 71, b"--" + b"q" * 71 + b"--\r\n"),
    ("/form", "application/x-www-form-urlencoded", b"a=%ff"),
]


async def test_malformed_bodies_are_400_never_500(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    base_url = live_server(body_app(), **QUIET)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for path, content_type, body in MALFORMED:
            answer = await client.post(path, content=body, headers={"content-type": content_type})
            assert answer.status_code == 400, (path, content_type, body[:40], answer.text)
            assert "detail" in answer.json()
        deepest_ok = await client.post("/json", content=b"[" * 1024 + b"]" * 1024,
                                       headers={"content-type": "application/json"})
    assert deepest_ok.status_code == 200
    assert error_records(caplog) == []


async def test_server_keeps_serving_after_hostile_traffic(live_server: LiveServer) -> None:
    base_url = live_server(body_app(), **QUIET)
    host = urlsplit(base_url).netloc
    hostile = [
        f"POST /upload HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
        f"POST /upload HTTP/1.1\r\nHost: {host}\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort",
        "GET /upload HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n",
    ]
    for request in hostile:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            await anyio.to_thread.run_sync(
                functools.partial(raw_exchange, base_url, request.encode(), timeout=3.0)
            )
        assert time.monotonic() - started < 3.5
    async with httpx.AsyncClient(base_url=base_url) as client:
        answer = await client.post("/upload", content=b"fine")
    assert answer.json() == {"size": 4}
