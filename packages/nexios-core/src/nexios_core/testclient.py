"""Test clients that call an ASGI app in-process, without a server or a socket.

:class:`TestClient` is a synchronous ``httpx.Client``: the app runs in an event loop on a
background thread (an anyio blocking portal) and its response is handed over through a queue, so a
streaming response or server-sent events can be read piece by piece with ``client.stream(...)``.
``with TestClient(app) as client:`` drives the app's lifespan through ASGI lifespan messages, so
a failing start-up raises in the test. ``client.websocket_connect(path)`` opens a WebSocket session.

:class:`AsyncTestClient` is the ``httpx.AsyncClient`` counterpart that runs the app in the test's
own event loop.

Needs httpx (``pip install nexios-core[testclient]``).
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal

import anyio
import anyio.abc
import anyio.to_thread

try:
    import httpx
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("The Nexios test client needs httpx: pip install nexios-core[testclient]") from exc
from anyio.from_thread import BlockingPortal, start_blocking_portal

from . import jsoncodec
from .exceptions import WebSocketDisconnect
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
            self._chunks = body.__aiter__() if isinstance(body, AsyncIterator) else _in_thread(body)
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


async def _in_thread(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """Pull a synchronous request body in a worker thread so the event loop never blocks on it."""
    iterator = iter(chunks)
    end = object()
    while True:
        chunk = await anyio.to_thread.run_sync(next, iterator, end)
        if chunk is end:
            return
        yield chunk  # type: ignore[misc]


def _error_response() -> httpx.Response:
    return httpx.Response(500, headers={"content-type": "text/plain; charset=utf-8"},
                          content=b"Internal Server Error")


def _start_response(start: Message, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> httpx.Response:
    return httpx.Response(start["status"], headers=list(start.get("headers", [])), stream=stream)


# -------------------------------------------------------------------- the synchronous client
class _SyncResponseStream(httpx.SyncByteStream):
    def __init__(self, client: TestClient, portal: BlockingPortal, exchange: _HTTPExchange,
                 release: contextlib.ExitStack) -> None:
        self._client = client
        self._portal = portal
        self._exchange = exchange
        self._release = release
        self._closed = False
        client._open_streams.add(self)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self._portal.call(self._exchange.next_body)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._client._open_streams.discard(self)
        try:
            error = self._portal.call(self._exchange.finish, not self._exchange.body_complete)
        finally:
            self._release.close()
        if error is not None and self._client.raise_server_exceptions:
            raise error


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, client: TestClient) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        client = self._client
        scope = _build_scope(request, "http", client.root_path, client.lifespan_state)
        stream = request.stream
        body: bytes | Iterable[bytes]
        if isinstance(stream, httpx.ByteStream):
            body = b"".join(stream)
        elif isinstance(stream, httpx.SyncByteStream):
            body = stream
        else:
            raise TypeError("TestClient needs a synchronous request body")
        release = contextlib.ExitStack()
        portal = release.enter_context(client._portal())
        exchange: _HTTPExchange | None = None
        try:
            exchange = portal.call(_HTTPExchange, client.app, scope, body)
            portal.start_task_soon(exchange.serve)
            start = portal.call(exchange.response_start)
        except BaseException:  # e.g. KeyboardInterrupt while waiting: do not leave the app running
            try:
                if exchange is not None:
                    portal.call(exchange.finish, True)
            finally:
                release.close()
            raise
        if start is None:
            try:
                error = portal.call(exchange.finish, False)
            finally:
                release.close()
            if error is not None and client.raise_server_exceptions:
                raise error
            return _error_response()
        return _start_response(start, _SyncResponseStream(client, portal, exchange, release))

    def close(self) -> None:
        # Responses and WebSockets the test left open would otherwise keep their app running
        # (and keep the lifespan's event loop from stopping). Close them all, then report.
        errors: list[Exception] = []
        resources: list[_SyncResponseStream | WebSocketTestSession] = [
            *self._client._open_streams, *self._client._open_sessions
        ]
        for resource in resources:
            try:
                resource.close()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]


class TestClient(httpx.Client):
    """A synchronous httpx client that calls ``app`` in-process.

    ``raise_server_exceptions`` re-raises in the test what the app raised (otherwise the test sees
    a 500). Use it as a context manager to run the app's lifespan; ``websocket_connect`` opens a
    WebSocket session.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        headers: _HeaderTypes | None = None,
        cookies: httpx.Cookies | dict[str, str] | None = None,
        follow_redirects: bool = True,
        backend: str = "asyncio",
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.lifespan_state: dict[str, Any] = {}
        self._backend = backend
        self._shared_portal: BlockingPortal | None = None
        self._lifespan_stack: contextlib.ExitStack | None = None
        self._open_streams: set[_SyncResponseStream] = set()
        self._open_sessions: set[WebSocketTestSession] = set()
        default_headers = httpx.Headers({"user-agent": "testclient"})
        if headers is not None:
            default_headers.update(headers)
        super().__init__(
            base_url=base_url,
            headers=default_headers,
            cookies=cookies,
            follow_redirects=follow_redirects,
            transport=_SyncTransport(self),
        )

    @contextlib.contextmanager
    def _portal(self) -> Iterator[BlockingPortal]:
        """The lifespan's event loop inside ``with``; otherwise a loop for this one use."""
        if self._shared_portal is not None:
            yield self._shared_portal
        else:
            with start_blocking_portal(self._backend) as portal:
                yield portal

    def __enter__(self) -> TestClient:
        stack = contextlib.ExitStack()
        portal = stack.enter_context(start_blocking_portal(self._backend))
        driver = portal.call(_LifespanDriver, self.app, self.lifespan_state)
        stack.callback(portal.call, driver.stop)
        portal.start_task_soon(driver.serve)
        try:
            portal.call(driver.startup)
        except BaseException:
            stack.close()
            raise
        stack.callback(portal.call, driver.shutdown)
        self._shared_portal = portal
        self._lifespan_stack = stack
        try:
            super().__enter__()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc_value, traceback)
        finally:
            stack, self._lifespan_stack = self._lifespan_stack, None
            try:
                if stack is not None:
                    stack.close()  # shutdown, then stop the lifespan task, then the loop
            finally:
                self._shared_portal = None

    def websocket_connect(
        self,
        url: str,
        subprotocols: Sequence[str] | None = None,
        headers: _HeaderTypes | None = None,
    ) -> WebSocketTestSession:
        """Open a WebSocket to ``url`` and complete the handshake.

        Raises :class:`WebSocketDenied` if the app closes (or answers HTTP) instead of accepting.
        Use the session as a context manager so it is closed at the end.
        """
        request = self.build_request("GET", url, headers=headers)
        request.headers["connection"] = "upgrade"
        request.headers["upgrade"] = "websocket"
        request.headers["sec-websocket-version"] = "13"
        request.headers["sec-websocket-key"] = base64.b64encode(os.urandom(16)).decode("ascii")
        if subprotocols:
            request.headers["sec-websocket-protocol"] = ", ".join(subprotocols)
        scope = _build_scope(request, "websocket", self.root_path, self.lifespan_state)
        scope["subprotocols"] = list(subprotocols or ())
        return WebSocketTestSession(self, scope)


# -------------------------------------------------------------------- WebSocket sessions
class _ClientGone(OSError):
    """What a server raises when the app sends to a WebSocket whose client has left."""


class _WebSocketExchange:
    """The server's side of one WebSocket connection. Create it inside the event loop."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self._app = app
        self._scope = scope
        self._to_app, self._app_inbox = anyio.create_memory_object_stream[Message](math.inf)
        self._app_outbox, self._from_app = anyio.create_memory_object_stream[Message](math.inf)
        self._client_gone = False
        self._app_closed: Message | None = None
        self._last_disconnect: Message = {"type": "websocket.disconnect", "code": 1006}
        self.run = _AppRun()

    async def serve(self) -> None:
        try:
            await self.run.run(self._app, self._scope, self._receive, self._send)
        finally:
            if isinstance(self.run.error, WebSocketDisconnect):
                # A handler that lets the client's disconnect propagate has simply finished.
                self.run.error = None
            self._app_outbox.close()

    async def _receive(self) -> Message:
        if self._app_closed is not None:
            # After the app's close frame the client's close reply ends the connection; frames
            # still in flight are discarded, as a real server does.
            return {"type": "websocket.disconnect", "code": self._app_closed.get("code", 1000),
                    "reason": self._app_closed.get("reason", "")}
        try:
            message = await self._app_inbox.receive()
        except anyio.EndOfStream:
            return self._last_disconnect
        if message["type"] == "websocket.disconnect":
            self._last_disconnect = message
        return message

    async def _send(self, message: Message) -> None:
        if self._client_gone:
            raise _ClientGone("The WebSocket client has disconnected")
        if self._app_closed is not None:
            raise RuntimeError(f"Cannot send {message['type']!r} after 'websocket.close'")
        if message["type"] == "websocket.close":
            self._app_closed = message
        await self._app_outbox.send(message)

    async def client_send(self, message: Message) -> None:
        if self._client_gone:
            raise RuntimeError("The WebSocket session is closed")
        if message["type"] == "websocket.disconnect":
            self._client_gone = True
        await self._to_app.send(message)

    async def client_receive(self, timeout: float | None) -> Message | None:
        with anyio.fail_after(timeout):
            try:
                return await self._from_app.receive()
            except anyio.EndOfStream:
                return None

    async def client_close(self, code: int, reason: str) -> None:
        if not self._client_gone and self._app_closed is None:
            await self.client_send({"type": "websocket.disconnect", "code": code, "reason": reason})
        self._client_gone = True
        self._to_app.close()
        await self.run.stop(GRACE_PERIOD)


class WebSocketTestSession:
    """An open WebSocket to the app, made by :meth:`TestClient.websocket_connect`.

    ``receive_*`` raise :class:`~nexios_core.exceptions.WebSocketDisconnect` (with the app's close
    code) once the app has closed the connection, and re-raise what the app raised.
    """

    def __init__(self, client: TestClient, scope: Scope) -> None:
        self._client = client
        self._raise = client.raise_server_exceptions
        self._stack = contextlib.ExitStack()
        self._portal = self._stack.enter_context(client._portal())
        self._closed = False
        self._error_raised = False
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[str, str]] = []
        self._close_message: Message | None = None
        client._open_sessions.add(self)
        try:
            self._exchange = self._portal.call(_WebSocketExchange, client.app, scope)
            self._portal.start_task_soon(self._exchange.serve)
            self._handshake()
        except BaseException:
            with contextlib.suppress(Exception):  # the handshake's own error is the one to see
                self.close()
            raise

    def _handshake(self) -> None:
        self.send({"type": "websocket.connect"})
        message = self.receive()
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted_subprotocol = message.get("subprotocol")
            self.extra_headers = [(k.decode("latin-1"), v.decode("latin-1"))
                                  for k, v in message.get("headers", [])]
            return
        if kind == "websocket.close":
            raise WebSocketDenied(message.get("code", 1000), message.get("reason") or "")
        if kind == "websocket.http.response.start":
            body = b""
            while True:
                part = self.receive()
                if part["type"] != "websocket.http.response.body":
                    break
                body += part.get("body", b"")
                if not part.get("more_body", False):
                    break
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
            raise WebSocketDenied(1006, "", message["status"], headers, body)
        raise RuntimeError(f"Expected 'websocket.accept', got {kind!r}")

    # ---------------------------------------------------------------- sending
    def send(self, message: Message) -> None:
        """Send a raw ASGI message to the app."""
        self._portal.call(self._exchange.client_send, message)

    def send_text(self, data: str) -> None:
        """Send a text frame."""
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        """Send a binary frame."""
        self.send({"type": "websocket.receive", "bytes": bytes(data)})

    def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        """Send ``data`` as JSON in a text (default) or binary frame."""
        encoded = jsoncodec.dumps(data)
        if mode == "binary":
            self.send_bytes(encoded)
        else:
            self.send_text(encoded.decode("utf-8"))

    # ---------------------------------------------------------------- receiving
    def receive(self, timeout: float | None = None) -> Message:
        """The next raw message from the app (``TimeoutError`` after ``timeout`` seconds).

        When the app has ended without closing, this re-raises its exception or reports a
        close (1000 for a normal end, 1011 for a crash).
        """
        message = self._portal.call(self._exchange.client_receive, timeout)
        if message is not None:
            if message["type"] == "websocket.close":
                self._close_message = message
            return message
        if self._close_message is not None:  # asked again after the app closed: same answer
            return self._close_message
        error = self._exchange.run.error
        if error is not None and self._raise and not self._error_raised:
            self._error_raised = True
            raise error
        return {"type": "websocket.close", "code": 1000 if error is None else 1011, "reason": ""}

    def _receive_data(self, timeout: float | None) -> Message:
        message = self.receive(timeout)
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason") or "")
        if message["type"] != "websocket.send":
            raise RuntimeError(f"Expected 'websocket.send', got {message['type']!r}")
        return message

    def receive_text(self, timeout: float | None = None) -> str:
        """The next text frame (raises :class:`WebSocketDisconnect` if the app closed)."""
        message = self._receive_data(timeout)
        if message.get("text") is None:
            raise TypeError("Expected a text frame, got a binary one")
        return message["text"]  # type: ignore[no-any-return]

    def receive_bytes(self, timeout: float | None = None) -> bytes:
        """The next binary frame (raises :class:`WebSocketDisconnect` if the app closed)."""
        message = self._receive_data(timeout)
        if message.get("bytes") is None:
            raise TypeError("Expected a binary frame, got a text one")
        return message["bytes"]  # type: ignore[no-any-return]

    def receive_json(self, timeout: float | None = None) -> Any:
        """The next frame (text or binary) parsed as JSON."""
        message = self._receive_data(timeout)
        text = message.get("text")
        return jsoncodec.loads(text if text is not None else message.get("bytes", b""))

    # ---------------------------------------------------------------- closing
    def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection (the app receives ``websocket.disconnect`` with ``code``), wait
        for the app to finish, and re-raise what it raised."""
        if self._closed:
            return
        self._closed = True
        self._client._open_sessions.discard(self)
        try:
            exchange = getattr(self, "_exchange", None)
            if exchange is not None:
                self._portal.call(exchange.client_close, code, reason or "")
        finally:
            self._stack.close()
        error = exchange.run.error if exchange is not None else None
        if error is not None and self._raise and not self._error_raised:
            self._error_raised = True
            raise error

    def __enter__(self) -> WebSocketTestSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            with contextlib.suppress(Exception):  # keep the test's own exception visible
                self.close()


# -------------------------------------------------------------------- the asynchronous client
class _AsyncResponseStream(httpx.AsyncByteStream):
    def __init__(self, client: AsyncTestClient, exchange: _HTTPExchange) -> None:
        self._client = client
        self._exchange = exchange
        self._closed = False
        client._open_streams.add(self)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self._exchange.next_body()
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._client._open_streams.discard(self)
        error = await self._exchange.finish(not self._exchange.body_complete)
        if error is not None and self._client.raise_server_exceptions:
            raise error


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, client: AsyncTestClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        client = self._client
        scope = _build_scope(request, "http", client.root_path, client.lifespan_state)
        stream = request.stream
        body: bytes | AsyncIterator[bytes]
        if isinstance(stream, httpx.ByteStream):
            body = b"".join(stream)
        elif isinstance(stream, httpx.AsyncByteStream):
            body = stream.__aiter__()
        else:
            raise TypeError("AsyncTestClient needs an asynchronous request body")
        exchange = _HTTPExchange(client.app, scope, body)
        task_group = client._task_group
        if task_group is None:
            return await self._buffered(exchange)
        task_group.start_soon(exchange.serve)
        start = await exchange.response_start()
        if start is None:
            return await self._no_response(exchange)
        return _start_response(start, _AsyncResponseStream(client, exchange))

    async def _buffered(self, exchange: _HTTPExchange) -> httpx.Response:
        # Outside `async with` there is no task group that outlives this call, so the app runs to
        # completion here and the body is collected before returning.
        chunks: list[bytes] = []
        async with anyio.create_task_group() as task_group:
            task_group.start_soon(exchange.serve)
            start = await exchange.response_start()
            if start is not None:
                while (chunk := await exchange.next_body()) is not None:
                    chunks.append(chunk)
            error = await exchange.finish(False)
        if error is not None and self._client.raise_server_exceptions:
            raise error
        if start is None:
            return _error_response()
        return _start_response(start, httpx.ByteStream(b"".join(chunks)))

    async def _no_response(self, exchange: _HTTPExchange) -> httpx.Response:
        error = await exchange.finish(False)
        if error is not None and self._client.raise_server_exceptions:
            raise error
        return _error_response()

    async def aclose(self) -> None:
        for stream in list(self._client._open_streams):
            await stream.aclose()


class AsyncTestClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that calls ``app`` in the test's own event loop.

    ``async with AsyncTestClient(app) as client:`` runs the lifespan and lets responses stream
    incrementally (``client.stream(...)``); without ``async with`` each request runs the app to
    completion before returning, so an endless stream would never return.
    """

    __test__ = False

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        headers: _HeaderTypes | None = None,
        cookies: httpx.Cookies | dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.lifespan_state: dict[str, Any] = {}
        self._task_group: anyio.abc.TaskGroup | None = None
        self._lifespan_stack: contextlib.AsyncExitStack | None = None
        self._open_streams: set[_AsyncResponseStream] = set()
        default_headers = httpx.Headers({"user-agent": "testclient"})
        if headers is not None:
            default_headers.update(headers)
        super().__init__(
            base_url=base_url,
            headers=default_headers,
            cookies=cookies,
            follow_redirects=follow_redirects,
            transport=_AsyncTransport(self),
        )

    async def __aenter__(self) -> AsyncTestClient:
        stack = contextlib.AsyncExitStack()
        task_group = await stack.enter_async_context(anyio.create_task_group())
        driver = _LifespanDriver(self.app, self.lifespan_state)
        stack.push_async_callback(driver.stop)
        task_group.start_soon(driver.serve)
        try:
            await driver.startup()
        except BaseException:
            await stack.aclose()
            raise
        stack.push_async_callback(driver.shutdown)
        self._task_group = task_group
        self._lifespan_stack = stack
        await super().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc_value, traceback)
        finally:
            stack, self._lifespan_stack = self._lifespan_stack, None
            self._task_group = None
            if stack is not None:
                await stack.aclose()


__all__ = [
    "CLIENT_ADDRESS",
    "GRACE_PERIOD",
    "AsyncTestClient",
    "LifespanFailed",
    "TestClient",
    "WebSocketDenied",
    "WebSocketTestSession",
]
