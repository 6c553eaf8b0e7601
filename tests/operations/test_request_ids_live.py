"""Request ids under real uvicorn, over a raw socket: header bytes no HTTP client would send
(obs-text, control characters, a repeated header, an overlong value) never come back; streamed
and file answers carry the id; records from a sync handler's thread carry it."""

from __future__ import annotations

import io
import json
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from nexios import get_application
from nexios_core import FileResponse, Request, Response, StreamingResponse
from nexios_core.logs import setup_logging
from tests.support.live_server import run_live_server

NEW_ID = re.compile(rb"[0-9a-f]{32}")


def exchange(base_url: str, path: str, header_lines: list[bytes]) -> tuple[int, list[bytes], bytes]:
    """One request written byte for byte; the status, the ``X-Request-ID`` values and the body."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n"
                     + b"".join(line + b"\r\n" for line in header_lines) + b"\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    ids = [line.split(b":", 1)[1].strip() for line in lines if line.lower().startswith(b"x-request-id:")]
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    return int(status_line.split()[1]), ids, body


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


def make_app(tmp_path: Path) -> Any:
    (tmp_path / "a.txt").write_text("file body")
    app = get_application()

    @app.get("/echo")
    async def echo(request: Request, response: Response) -> Any:
        return response.text(request.id)

    @app.get("/stream")
    async def stream(request: Request, response: Response) -> Any:
        async def chunks() -> Any:
            yield request.id.encode()

        return StreamingResponse(chunks())

    @app.get("/file")
    async def file(request: Request, response: Response) -> Any:
        return FileResponse(tmp_path / "a.txt")

    @app.get("/sync")
    def sync_handler(request: Request, response: Response) -> Any:
        import logging

        logging.getLogger("tests.live.sync").warning("in a sync handler")
        return request.id

    return app


@pytest.mark.parametrize("header_lines", [
    [b"X-Request-ID: \xff\xfe-latin-1"],
    [b"X-Request-ID: caf\xc3\xa9"],
    [b"X-Request-ID: a\tb"],
    [b"X-Request-ID: " + b"a" * 129],
    [b"X-Request-ID:"],
    [b"X-Request-ID: first-1", b"X-Request-ID: second-2"],
    [b"X-Request-ID: abc,def"],
    [b"X-Request-ID: abc; x-admin=1"],
], ids=["obs-text", "utf-8", "tab", "129-chars", "empty", "repeated", "comma", "semicolon"])
def test_hostile_ids_are_replaced_and_never_echoed(tmp_path: Path, header_lines: list[bytes]) -> None:
    with run_live_server(make_app(tmp_path)) as base_url:
        status, ids, body = exchange(base_url, "/echo", header_lines)
    assert status == 200 and len(ids) == 1
    assert NEW_ID.fullmatch(ids[0]) and body == ids[0]


def test_a_well_formed_id_is_echoed_on_streamed_and_file_answers(tmp_path: Path) -> None:
    given = b"A-z_0.9-" + b"x" * 120  # 128 characters, the longest accepted
    with run_live_server(make_app(tmp_path)) as base_url:
        streamed = exchange(base_url, "/stream", [b"X-Request-ID: " + given])
        sent_file = exchange(base_url, "/file", [b"X-Request-ID: " + given])
        missing = exchange(base_url, "/nowhere", [b"X-Request-ID: " + given])
    assert streamed == (200, [given], given)
    assert sent_file == (200, [given], b"file body")
    assert missing[:2] == (404, [given])


def test_records_from_a_sync_handler_carry_the_id_under_uvicorn(tmp_path: Path) -> None:
    stream = io.StringIO()
    setup_logging("json", stream=stream)
    with run_live_server(make_app(tmp_path)) as base_url:
        status, ids, body = exchange(base_url, "/sync", [b"X-Request-ID: sync-live-1"])
    assert (status, ids, body) == (200, [b"sync-live-1"], b"sync-live-1")
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    handler_lines = [line for line in lines if line["logger"] == "tests.live.sync"]
    assert [line["request_id"] for line in handler_lines] == ["sync-live-1"]
    access = [line for line in lines if line["logger"] == "nexios.access"]
    assert [(a["request_id"], a["route"], a["status"]) for a in access] == [("sync-live-1", "/sync", 200)]


def test_a_websocket_handshake_answer_carries_the_id_under_uvicorn() -> None:
    import asyncio

    import websockets

    def chat_app(echo: bool) -> Any:
        app = get_application()
        app.echo_request_id = echo

        @app.websocket("/ws")
        async def chat(websocket: Any) -> None:
            await websocket.accept()
            await websocket.send_text(websocket.id)
            await websocket.close()

        @app.websocket("/own")
        async def own(websocket: Any) -> None:
            await websocket.accept(headers={"X-Request-ID": "chosen-by-handler"})
            await websocket.close()

        return app

    async def handshake(ws_url: str, sent: str | None) -> tuple[str | None, str | None]:
        headers = {"x-request-id": sent} if sent is not None else {}
        async with websockets.connect(ws_url, additional_headers=headers) as socket:
            answered = socket.response.headers.get_all("x-request-id")
            assert len(answered) <= 1
            said = await socket.recv() if ws_url.endswith("/ws") else None
            return (answered[0] if answered else None), (said if isinstance(said, str) else None)

    for echo in (True, False):
        with run_live_server(chat_app(echo)) as base_url:
            ws_url = base_url.replace("http://", "ws://")
            given = asyncio.run(handshake(ws_url + "/ws", "ws-given-1"))
            hostile = asyncio.run(handshake(ws_url + "/ws", "a b\"c"))
            fresh = asyncio.run(handshake(ws_url + "/ws", None))
            own = asyncio.run(handshake(ws_url + "/own", "ws-given-2"))
        if echo:
            assert given == ("ws-given-1", "ws-given-1")
            assert hostile[0] == hostile[1] and NEW_ID.fullmatch(hostile[0].encode())
            assert fresh[0] == fresh[1] and NEW_ID.fullmatch(fresh[0].encode())
        else:
            assert (given, hostile[0], fresh[0]) == ((None, "ws-given-1"), None, None)
        assert own[0] == "chosen-by-handler"  # a handler's own header is kept, never doubled
