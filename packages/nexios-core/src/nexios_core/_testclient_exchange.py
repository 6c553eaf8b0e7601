"""The test client's plumbing: one ASGI exchange (HTTP or lifespan) run against an app."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import anyio
import anyio.abc
import anyio.to_thread
import httpx

from .concurrency import iterate_in_threadpool
from .types import ASGIApp, Message, Scope

CLIENT_ADDRESS = ("testclient", 50000)
"""The ``client`` of every scope the test clients build."""

GRACE_PERIOD = 5.0
"""Seconds an app gets to finish once the test is done with it, before it is cancelled."""

_HeaderTypes = Mapping[str, str] | Sequence[tuple[str, str]]


class LifespanFailed(RuntimeError):
    """The app answered ``lifespan.startup.failed`` or ``lifespan.shutdown.failed``."""


class WebSocketDenied(Exception):
    """The app refused the WebSocket handshake.

    ``code`` is the close code the app sent (1006 when it answered with an HTTP response instead);
    ``status_code``, ``headers`` and ``body`` describe the HTTP answer a real server gives
    (403 for a close before accept).
    """

    def __init__(
        self,
        code: int,
        reason: str = "",
        status_code: int = 403,
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
    ) -> None:
        self.code = code
        self.reason = reason
        self.status_code = status_code
        self.headers = headers or []
        self.body = body
        super().__init__(f"WebSocket handshake refused: close code {code}, HTTP {status_code}")


# -------------------------------------------------------------------- building scopes
def _build_scope(
    request: httpx.Request, kind: Literal["http", "websocket"], root_path: str, state: dict[str, Any]
) -> Scope:
    url = request.url
    scheme = url.scheme
    secure = scheme in ("https", "wss")
    if kind == "websocket":
        scheme = "wss" if secure else "ws"
    scope: Scope = {
        "type": kind,
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "scheme": scheme,
        "server": (url.host, url.port or (443 if secure else 80)),
        "client": CLIENT_ADDRESS,
        "root_path": root_path,
        "path": url.path,
        "raw_path": url.raw_path.partition(b"?")[0],
        "query_string": url.query,
        "headers": [(name.lower(), value) for name, value in request.headers.raw],
        # Lifespan state is shallow-copied into every connection, as the ASGI spec describes.
        "state": dict(state),
    }
    if kind == "http":
        scope["method"] = request.method
    return scope


# -------------------------------------------------------------------- one background app call
class _AppRun:
    """One call of the app as a background task that can be awaited, timed out and cancelled.
    Create it inside the event loop."""

    def __init__(self) -> None:
        self.cancel_scope = anyio.CancelScope()
        self.done = anyio.Event()
        self.error: Exception | None = None

    async def run(self, call: Callable[..., Awaitable[None]], *args: Any) -> None:
        try:
            with self.cancel_scope:
                await call(*args)
        except Exception as exc:
            self.error = exc
        finally:
            self.done.set()

    async def stop(self, grace: float | None) -> None:
        """Wait for the call to end; after ``grace`` seconds (if given) cancel it."""
        if grace is not None:
            with anyio.move_on_after(grace):
                await self.done.wait()
            self.cancel_scope.cancel()
        await self.done.wait()


# -------------------------------------------------------------------- lifespan
class _LifespanDriver:
    """Plays the server's side of the ASGI lifespan protocol. Create it inside the event loop."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self._app = app
        self._state = state
        self._to_app, self._app_inbox = anyio.create_memory_object_stream[Message](math.inf)
        self._app_outbox, self._from_app = anyio.create_memory_object_stream[Message](math.inf)
        self.run = _AppRun()
        self._supported = True

    async def serve(self) -> None:
        scope: Scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"},
                        "state": self._state}
        try:
            await self.run.run(self._app, scope, self._app_inbox.receive, self._app_outbox.send)
        finally:
            self._app_outbox.close()

    async def _reply(self) -> Message | None:
        try:
            return await self._from_app.receive()
        except anyio.EndOfStream:
            return None

    async def startup(self) -> None:
        """Send ``lifespan.startup``; raise if the app reports failure or crashes."""
        await self._to_app.send({"type": "lifespan.startup"})
        reply = await self._reply()
        if reply is None:  # the app ended without answering
            self._supported = False
            if self.run.error is not None:
                raise self.run.error
            return
        if reply["type"] == "lifespan.startup.failed":
            raise LifespanFailed(f"Application start-up failed: {reply.get('message', '')}")
        if reply["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"Unexpected lifespan message {reply['type']!r}")

    async def shutdown(self) -> None:
        """Send ``lifespan.shutdown``; raise if the app reports failure or crashes."""
        if not self._supported:
            return
        await self._to_app.send({"type": "lifespan.shutdown"})
        reply = await self._reply()
        if reply is None:
            if self.run.error is not None:
                raise self.run.error
            return
        if reply["type"] == "lifespan.shutdown.failed":
            raise LifespanFailed(f"Application shutdown failed: {reply.get('message', '')}")

    async def stop(self) -> None:
        self._to_app.close()
        await self.run.stop(GRACE_PERIOD)


# -------------------------------------------------------------------- one HTTP request
class _HTTPExchange:
    """One HTTP request/response between a test client and the app. The response travels over a
    bounded queue, so a streaming app is paced by the reader. Create it inside the event loop."""

    def __init__(self, app: ASGIApp, scope: Scope, body: Iterable[bytes] | AsyncIterator[bytes] | bytes):
        self._app = app
        self._scope = scope
        self._body = body
        self._chunks: AsyncIterator[bytes] | None = None
        self._to_client, self._from_app = anyio.create_memory_object_stream[Message](16)
        self._request_complete = False
        self._response_complete = anyio.Event()
        self._started = False
        self._finished = False
        self._client_gone = False
        self.body_complete = False
        self.run = _AppRun()

    async def serve(self) -> None:
        try:
            await self.run.run(self._app, self._scope, self._receive, self._send)
        finally:
            self._response_complete.set()
            self._to_client.close()

    # ---------------------------------------------------------------- the app's side
    async def _receive(self) -> Message:
        if not self._request_complete:
            message = await self._next_request_message()
            self._request_complete = not message["more_body"]
            return message
        # Like a server, report a disconnect only once the response is over (or the client left).
        await self._response_complete.wait()
        return {"type": "http.disconnect"}

    async def _next_request_message(self) -> Message:
        body = self._body
        if isinstance(body, bytes):
            return {"type": "http.request", "body": body, "more_body": False}
        if self._chunks is None:
            # A synchronous body is pulled in a worker thread: the event loop never blocks on it.
            self._chunks = body.__aiter__() if isinstance(body, AsyncIterator) else iterate_in_threadpool(body)
        async for chunk in self._chunks:
            if chunk:
                return {"type": "http.request", "body": chunk, "more_body": True}
        return {"type": "http.request", "body": b"", "more_body": False}

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if not self._started:
            if kind != "http.response.start":
                raise RuntimeError(f"Expected 'http.response.start', got {kind!r}")
            self._started = True
        elif kind != "http.response.body" or self._finished:
            stage = "completed" if self._finished else "started"
            raise RuntimeError(f"Unexpected {kind!r} after the response was {stage}")
        elif not message.get("more_body", False):
            self._finished = True
        if not self._client_gone:
            try:
                await self._to_client.send(message)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                pass  # the client stopped reading; like a server, drop what is sent after that
        if self._finished:
            self._response_complete.set()

    # ---------------------------------------------------------------- the client's side
    async def _next_message(self) -> Message | None:
        try:
            return await self._from_app.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            return None

    async def response_start(self) -> Message | None:
        """The ``http.response.start`` message, or ``None`` if the app ended without one."""
        return await self._next_message()

    async def next_body(self) -> bytes | None:
        """The next non-empty body chunk, or ``None`` once the body is over."""
        while not self.body_complete:
            message = await self._next_message()
            if message is None:
                return None
            body = bytes(message.get("body", b""))
            if not message.get("more_body", False):
                self.body_complete = True
            if body:
                return body
        return None

    async def finish(self, client_gone: bool) -> Exception | None:
        """Let the app end (cancelling it after a grace period if the client left early) and
        return what it raised."""
        if client_gone:
            self._client_gone = True
            self._response_complete.set()
            self._from_app.close()
        await self.run.stop(GRACE_PERIOD if client_gone else None)
        return self.run.error


def _error_response() -> httpx.Response:
    return httpx.Response(500, headers={"content-type": "text/plain; charset=utf-8"},
                          content=b"Internal Server Error")


def _start_response(start: Message, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> httpx.Response:
    return httpx.Response(start["status"], headers=list(start.get("headers", [])), stream=stream)


# -------------------------------------------------------------------- the synchronous client
