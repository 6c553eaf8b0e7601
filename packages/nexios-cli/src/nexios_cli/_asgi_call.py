"""One in-process HTTP request to an ASGI app, with nothing but anyio.

``nexios ping`` prefers ``nexios_core.testclient.TestClient``, which needs httpx; this is what it
uses when httpx is not installed. It plays the server's part of the ASGI protocol: lifespan
start-up, one ``http`` exchange, lifespan shutdown.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from nexios_core import ASGIApp, Message, Scope

SERVER = ("testserver", 80)
CLIENT = ("127.0.0.1", 50000)
_ASGI = {"version": "3.0", "spec_version": "2.3"}


class StartupFailed(RuntimeError):
    """The app answered ``lifespan.startup.failed``."""


@dataclass
class PlainResponse:
    """What the app answered: status, headers (decoded as latin-1) and the whole body."""

    status_code: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


MAX_REDIRECTS = 20
"""Redirects followed (with ``follow_redirects``) before the last answer is returned as it is."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


async def call_app(
    app: ASGIApp,
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    follow_redirects: bool = False,
) -> PlainResponse:
    """Run the app's lifespan around a request for ``target`` (a path with an optional query).

    With ``follow_redirects``, redirects to the app itself are followed, inside the same
    lifespan; 301/302/303 turn the request into a GET without a body, as browsers do.
    """
    state: dict[str, Any] = {}
    async with _lifespan(app, state):
        for _ in range(MAX_REDIRECTS):
            response = await _request(app, _http_scope(method, target, headers, body, state), body)
            location = _same_app_location(response, target) if follow_redirects else None
            if location is None:
                return response
            if response.status_code in (301, 302, 303):
                method, body = "GET", b""
            target = location
        return await _request(app, _http_scope(method, target, headers, body, state), body)


def _same_app_location(response: PlainResponse, current: str) -> str | None:
    if response.status_code not in _REDIRECTS:
        return None
    location = next((value for name, value in response.headers if name.lower() == "location"), None)
    if location is None:
        return None
    base = f"http://{SERVER[0]}"
    url = urlsplit(urljoin(base + current, location))
    if url.scheme != "http" or url.netloc != SERVER[0]:
        return None  # another site: nothing this in-process call can reach
    return url.path + (f"?{url.query}" if url.query else "")


def _http_scope(method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes,
                state: dict[str, Any]) -> Scope:
    path, _, query = target.partition("?")
    raw_headers = [(b"host", SERVER[0].encode())]
    raw_headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    if body and not any(name.lower() == "content-length" for name, _ in headers):
        raw_headers.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": dict(_ASGI),
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": query.encode("latin-1", "replace"),
        "root_path": "",
        "headers": raw_headers,
        "client": CLIENT,
        "server": SERVER,
        "state": dict(state),
    }


async def _request(app: ASGIApp, scope: Scope, body: bytes) -> PlainResponse:
    response: PlainResponse | None = None
    chunks: list[bytes] = []
    body_sent = False
    finished = anyio.Event()

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # Like a server, report the disconnect only once the exchange is over.
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal response
        if message["type"] == "http.response.start":
            response = PlainResponse(
                int(message["status"]),
                [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in message.get("headers", [])],
            )
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    except Exception:
        # A server answers 500 when the app fails before starting its response; after that,
        # what was sent is all the client gets.
        if response is None:
            return PlainResponse(500, [("content-type", "text/plain; charset=utf-8")], b"Internal Server Error")
    finally:
        finished.set()
    if response is None:
        return PlainResponse(500, [("content-type", "text/plain; charset=utf-8")], b"Internal Server Error")
    response.body = b"".join(chunks)
    return response


@contextlib.asynccontextmanager
async def _lifespan(app: ASGIApp, state: dict[str, Any]) -> AsyncIterator[None]:
    to_app: MemoryObjectSendStream[Message]
    app_inbox: MemoryObjectReceiveStream[Message]
    app_outbox: MemoryObjectSendStream[Message]
    from_app: MemoryObjectReceiveStream[Message]
    to_app, app_inbox = anyio.create_memory_object_stream[Message](math.inf)
    app_outbox, from_app = anyio.create_memory_object_stream[Message](math.inf)

    async def run_lifespan() -> None:
        scope: Scope = {"type": "lifespan", "asgi": dict(_ASGI), "state": state}
        # An app without lifespan support returns or raises here; either way it is then
        # served without start-up and shutdown, as servers do in their "auto" mode.
        with contextlib.suppress(Exception):
            await app(scope, app_inbox.receive, app_outbox.send)
        app_outbox.close()

    failure: str | None = None
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(run_lifespan)
        await to_app.send({"type": "lifespan.startup"})
        supported = True
        try:
            message = await from_app.receive()
        except anyio.EndOfStream:
            supported = False
        else:
            if message["type"] == "lifespan.startup.failed":
                failure = str(message.get("message", "")) or "start-up failed"
        if failure is not None:
            tasks.cancel_scope.cancel()
        else:
            try:
                yield
            finally:
                if supported:
                    await to_app.send({"type": "lifespan.shutdown"})
                    with contextlib.suppress(anyio.EndOfStream):
                        await from_app.receive()
                to_app.close()
    # Raised outside the task group, which would otherwise wrap it in an exception group.
    if failure is not None:
        raise StartupFailed(failure)


__all__ = ["MAX_REDIRECTS", "PlainResponse", "StartupFailed", "call_app"]
