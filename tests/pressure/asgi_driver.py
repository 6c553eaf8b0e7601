"""Drive an ASGI app in-process exactly as a server would for one HTTP request: raw header bytes,
a raw query string and a body split into chunks of any sizes. Used by the property tests, which
need thousands of requests and no socket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from nexios_core.types import Message


@dataclass
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.headers if key == name), None)


async def call(
    app: Any,
    method: str = "GET",
    path: str = "/",
    *,
    query_string: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    chunks: Sequence[bytes] = (),
    timeout: float = 10.0,
) -> Answer:
    """Send one request; ``chunks`` is the body as the server would deliver it."""
    pending: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": index + 1 < len(chunks)}
        for index, chunk in enumerate(chunks)
    ] or [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        await anyio.sleep_forever()  # a server reports a disconnect only when it happens
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode("utf-8", "surrogateescape"),
        "root_path": "", "query_string": query_string,
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }
    with anyio.fail_after(timeout):
        await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], list(start["headers"]), body)


def split(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    """``data`` cut at the given offsets (taken modulo its length), in order."""
    if not data:
        return [data]
    points = sorted({cut % len(data) for cut in cuts} - {0})
    edges = [0, *points, len(data)]
    return [data[start:end] for start, end in zip(edges, edges[1:], strict=False)]
