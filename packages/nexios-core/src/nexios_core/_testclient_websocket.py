"""The test client's WebSocket session: a WebSocket conversation with an app, in-process."""

from __future__ import annotations

import contextlib
import math
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import anyio
import anyio.abc
import anyio.to_thread

from . import jsoncodec
from ._testclient_exchange import GRACE_PERIOD, WebSocketDenied, _AppRun
from .exceptions import WebSocketDisconnect
from .types import ASGIApp, Message, Scope

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal

    from .testclient import TestClient


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

    def __init__(
        self,
        client: TestClient,
        scope: Scope,
        *,
        portal: contextlib.AbstractContextManager[BlockingPortal],
        open_sessions: set[WebSocketTestSession],
    ) -> None:
        # The client hands over its event loop (``portal``) and the set of its sessions still
        # open, which this session joins until it is closed (the client closes leftovers).
        self._open_sessions = open_sessions
        self._raise = client.raise_server_exceptions
        self._stack = contextlib.ExitStack()
        self._portal = self._stack.enter_context(portal)
        self._closed = False
        self._error_raised = False
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[str, str]] = []
        self._close_message: Message | None = None
        open_sessions.add(self)
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
        self._open_sessions.discard(self)
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
