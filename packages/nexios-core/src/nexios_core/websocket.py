"""The ``WebSocket`` connection object: handshake details, typed send/receive, closing.

A :class:`WebSocket` wraps one ASGI ``websocket`` connection. Like :class:`Request`, it reads the
handshake (URL, headers, cookies, state) through :class:`~.connection.HTTPConnection`, and it adds
typed send/receive. Every received message is bounded by ``Limits.max_websocket_message_size``: a
bigger one closes the socket with 1009; text that should be JSON and is not closes it with 1007.
Either way the caller sees :class:`~nexios_core.exceptions.WebSocketDisconnect` carrying the code,
exactly as when the peer leaves, so one ``except`` handles every way a connection ends.

The origin check (:mod:`.websocket_origin`), shutdown tracking of open connections
(:mod:`.websocket_tracking`) and class-based consumers (:mod:`.consumers`) live in their own modules.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, Literal, NoReturn

from . import jsoncodec
from .connection import HTTPConnection
from .exceptions import BadRequest, WebSocketDisconnect
from .limits import limits_for
from .request_ids import request_id_header
from .request_log import has_request_id_header
from .types import Message, Receive, Scope, Send
from .websocket_origin import origin_is_allowed

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
"""Sent to open connections when the server shuts down (RFC 6455: the endpoint is going away)."""
CLOSE_ABNORMAL = 1006
"""Reported when the connection ended without a close frame (the transport simply went away)."""
CLOSE_INVALID_PAYLOAD = 1007
CLOSE_POLICY_VIOLATION = 1008
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011


_HANDSHAKE_MESSAGES = frozenset(
    {"websocket.accept", "websocket.close", "websocket.http.response.start", "websocket.http.response.body"}
)


class WebSocketState(enum.Enum):
    """Where one side of a connection is in its life."""

    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2


class WebSocket(HTTPConnection):
    """One WebSocket connection, created per connection by the dispatcher.

    ``client_state`` follows what the peer did (connected, left); ``application_state`` follows what
    this side did (accepted, closed).
    """

    __slots__ = (
        "client_state",
        "application_state",
        "close_code",
        "close_reason",
    )

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "websocket":
            raise ValueError(f"WebSocket needs a 'websocket' scope, not {scope.get('type')!r}")
        super().__init__(scope, receive, send)
        self.client_state = WebSocketState.CONNECTING
        self.application_state = WebSocketState.CONNECTING
        self.close_code: int | None = None
        """How the connection ended (either side's close code), once it has."""
        self.close_reason: str = ""

    @property
    def origin(self) -> str | None:
        """The ``Origin`` header (browsers always send it; other clients usually do not)."""
        return self.headers.get("origin")  # type: ignore[no-any-return]

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order of preference."""
        return list(self.scope.get("subprotocols", ()))

    # ---------------------------------------------------------------- raw ASGI messages
    async def receive(self) -> Message:
        """The next raw ASGI message (``websocket.connect``/``receive``/``disconnect``).

        Data messages are checked against the size limit (close 1009 and raise when exceeded).
        Receiving again after ``websocket.disconnect`` raises :class:`WebSocketDisconnect`.
        """
        if self.client_state is WebSocketState.DISCONNECTED:
            raise WebSocketDisconnect(self.close_code or CLOSE_ABNORMAL, self.close_reason)
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.connect":
            self.client_state = WebSocketState.CONNECTED
        elif kind == "websocket.disconnect":
            self.client_state = WebSocketState.DISCONNECTED
            self.application_state = WebSocketState.DISCONNECTED
            if self.close_code is None:
                self.close_code = int(message.get("code", CLOSE_NORMAL))
                self.close_reason = message.get("reason") or ""
        elif kind == "websocket.receive":
            await self._enforce_size_limit(message)
        return message

    async def _enforce_size_limit(self, message: Message) -> None:
        limit = limits_for(self.scope).max_websocket_message_size
        text = message.get("text")
        if text is not None:
            # A character is 1 to 4 UTF-8 bytes: only encode when the bound is in doubt.
            too_big = len(text) > limit or (len(text) * 4 > limit and len(text.encode("utf-8")) > limit)
        else:
            too_big = len(message.get("bytes") or b"") > limit
        if too_big:
            await self._close_and_raise(CLOSE_MESSAGE_TOO_BIG, "Message too big")

    async def _close_and_raise(self, code: int, reason: str) -> NoReturn:
        await self.close(code, reason)
        raise WebSocketDisconnect(code, reason)

    async def send(self, message: Message) -> None:
        """Send a raw ASGI message, checking it is valid in the current state.

        A transport error (the peer vanished) becomes :class:`WebSocketDisconnect` with 1006.
        """
        kind = message["type"]
        state = self.application_state
        if state is WebSocketState.DISCONNECTED:
            raise RuntimeError(f"Cannot send {kind!r}: the WebSocket is closed")
        if state is WebSocketState.CONNECTING:
            if kind not in _HANDSHAKE_MESSAGES:
                raise RuntimeError(f"Cannot send {kind!r} before the WebSocket is accepted")
        elif kind not in ("websocket.send", "websocket.close"):
            raise RuntimeError(f"Cannot send {kind!r} on an open WebSocket")
        if kind == "websocket.accept":
            self.application_state = WebSocketState.CONNECTED
        elif kind == "websocket.close":
            self.application_state = WebSocketState.DISCONNECTED
            if self.close_code is None:
                self.close_code = int(message.get("code", CLOSE_NORMAL))
                self.close_reason = message.get("reason") or ""
        elif kind == "websocket.http.response.body" and not message.get("more_body", False):
            # A handshake refused with an HTTP response (the ASGI denial extension) is over.
            self.application_state = WebSocketState.DISCONNECTED
            self.close_code = self.close_code or CLOSE_ABNORMAL
        try:
            await self._send(message)
        except OSError:
            # Servers report a peer that is already gone this way (uvicorn's ClientDisconnected).
            self.application_state = WebSocketState.DISCONNECTED
            self.client_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(CLOSE_ABNORMAL) from None

    # ---------------------------------------------------------------- handshake and closing
    async def accept(
        self,
        subprotocol: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        """Accept the connection, optionally choosing one of the client's ``subprotocols`` and
        adding response headers to the handshake."""
        if self.client_state is WebSocketState.CONNECTING:
            message = await self.receive()  # the ASGI server's websocket.connect
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(self.close_code or CLOSE_ABNORMAL, self.close_reason)
        encoded = _encode_headers(headers)
        if getattr(self.scope.get("app"), "echo_request_id", False) and not has_request_id_header(encoded):
            encoded.append(request_id_header(self.scope))  # the handshake's answer names it too
        await self.send({"type": "websocket.accept", "subprotocol": subprotocol, "headers": encoded})
        tracker = self.scope.get(OPEN_WEBSOCKETS_SCOPE_KEY)
        if tracker is not None:  # the app closes what is still open when it shuts down
            tracker.add(self)

    async def close(self, code: int = CLOSE_NORMAL, reason: str | None = None) -> None:
        """Close the connection (before ``accept`` this refuses the handshake with 403).

        Closing an already closed connection does nothing, so cleanup code may always call it.
        """
        if self.application_state is WebSocketState.DISCONNECTED:
            return
        if self.client_state is WebSocketState.DISCONNECTED:
            self.application_state = WebSocketState.DISCONNECTED
            return
        try:
            await self.send({"type": "websocket.close", "code": code, "reason": reason or ""})
        except WebSocketDisconnect:
            pass  # the peer left first; the connection is closed either way

    # ---------------------------------------------------------------- typed data
    async def _receive_data(self) -> Message:
        while True:
            message = await self.receive()
            kind = message["type"]
            if kind == "websocket.receive":
                return message
            if kind == "websocket.disconnect":
                raise WebSocketDisconnect(self.close_code or CLOSE_NORMAL, self.close_reason)
            # websocket.connect before accept: ignore and wait for data.

    async def receive_data(self) -> str | bytes:
        """The next message as the client sent it: a text frame as ``str``, a binary one as
        ``bytes``."""
        message = await self._receive_data()
        text = message.get("text")
        return text if text is not None else (message.get("bytes") or b"")

    async def receive_text(self) -> str:
        """The next message as text. A binary frame is decoded as UTF-8 (1007 if it is not)."""
        message = await self._receive_data()
        text = message.get("text")
        if text is not None:
            return text  # type: ignore[no-any-return]
        try:
            return (message.get("bytes") or b"").decode("utf-8")
        except UnicodeDecodeError:
            await self._close_and_raise(CLOSE_INVALID_PAYLOAD, "Invalid UTF-8")

    async def receive_bytes(self) -> bytes:
        """The next message as bytes (a text frame is encoded as UTF-8)."""
        message = await self._receive_data()
        data = message.get("bytes")
        if data is not None:
            return data  # type: ignore[no-any-return]
        return (message.get("text") or "").encode("utf-8")

    async def receive_json(self) -> Any:
        """The next message (text or binary) parsed as JSON; malformed JSON closes with 1007."""
        message = await self._receive_data()
        data = message.get("text")
        if data is None:
            data = message.get("bytes") or b""
        try:
            return jsoncodec.loads(data, max_depth=limits_for(self.scope).max_json_depth)
        except BadRequest as exc:
            await self._close_and_raise(CLOSE_INVALID_PAYLOAD, close_reason(str(exc.detail)))

    async def send_text(self, data: str) -> None:
        """Send a text frame."""
        await self.send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary frame."""
        await self.send({"type": "websocket.send", "bytes": bytes(data)})

    async def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        """Send ``data`` as JSON, in a text frame (default) or a binary one."""
        encoded = jsoncodec.dumps(data)
        if mode == "binary":
            await self.send({"type": "websocket.send", "bytes": encoded})
        else:
            await self.send({"type": "websocket.send", "text": encoded.decode("utf-8")})

    # ---------------------------------------------------------------- iteration
    async def iter_text(self) -> AsyncIterator[str]:
        """Yield text messages until the connection ends (the loop then simply stops; see
        :attr:`close_code` for how it ended)."""
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            return

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """Yield binary messages until the connection ends."""
        try:
            while True:
                yield await self.receive_bytes()
        except WebSocketDisconnect:
            return

    async def iter_json(self) -> AsyncIterator[Any]:
        """Yield JSON messages until the connection ends (malformed JSON ends it with 1007)."""
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            return

    def __aiter__(self) -> AsyncIterator[str]:
        return self.iter_text()

    def __repr__(self) -> str:
        return f"<WebSocket {self.path} {self.application_state.name}>"


def _encode_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> list[tuple[bytes, bytes]]:
    if headers is None:
        return []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    encoded: list[tuple[bytes, bytes]] = []
    for name, value in pairs:
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError("Header names and values must not contain CR or LF")
        encoded.append((name.lower().encode("latin-1"), value.encode("latin-1")))
    return encoded


MAX_CLOSE_REASON = 123
"""Bytes of UTF-8 a close frame's reason may hold (RFC 6455)."""


def close_reason(text: str) -> str:
    """``text`` cut to fit a close frame (123 bytes of UTF-8), ending with "..." when cut."""
    encoded = text.encode("utf-8")
    if len(encoded) <= MAX_CLOSE_REASON:
        return text
    return encoded[:MAX_CLOSE_REASON - 3].decode("utf-8", "ignore") + "..."


# Defined here rather than with the tracker: ``accept`` reads it, and ``websocket_tracking`` imports
# this module, so this keeps the dependency one-way.
OPEN_WEBSOCKETS_SCOPE_KEY = "nexios.open_websockets"
"""Scope key of the :class:`ConnectionTracker` an accepted :class:`WebSocket` registers with."""


__all__ = [
    "CLOSE_ABNORMAL",
    "CLOSE_GOING_AWAY",
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_INVALID_PAYLOAD",
    "CLOSE_MESSAGE_TOO_BIG",
    "CLOSE_NORMAL",
    "CLOSE_POLICY_VIOLATION",
    "MAX_CLOSE_REASON",
    "OPEN_WEBSOCKETS_SCOPE_KEY",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketState",
    "close_reason",
    "origin_is_allowed",
]
