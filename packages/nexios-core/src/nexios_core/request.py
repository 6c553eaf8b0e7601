"""The per-request ``Request`` object handed to handlers and middleware.

Everything is parsed lazily and cached: a handler that only reads a path parameter never pays
for headers, cookies or the query string. The body is read once, bounded by the limits in force
(``nexios_core.limits``), and replayed to anything downstream that reads the raw ASGI stream.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from . import jsoncodec
from ._awaitable import AwaitableValue
from .charsets import charset_of, resolve_charset
from .connection import HTTPConnection, parse_cookie_header
from .datastructures import URL, FormData, UploadFile
from .exceptions import BadRequest, ClientDisconnect, PayloadTooLarge, UnsupportedMediaType
from .limits import limits_for
from .types import Message, Receive, Scope

_EMPTY_BODY_MESSAGE: Message = {"type": "http.request", "body": b"", "more_body": False}
_UNSET: Any = object()
"""What ``_json`` holds until the body is decoded (``None`` is a valid JSON value)."""
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


class Request(HTTPConnection):
    """An HTTP request. One is created per request; nothing in it is shared between requests.

    What it shares with a WebSocket (URL, headers, query, cookies, state, session, user...) comes
    from :class:`~nexios_core.connection.HTTPConnection`.
    """

    # "__dict__" lets middleware set attributes of its own (`request.started = time()`), as
    # upstream Nexios allowed; the dict is only made if one is set. Prefer `request.state`.
    __slots__ = ("__dict__",)

    # `Request(scope, receive, send)` is `HTTPConnection.__init__`: a request has no
    # state of its own until its body is read. PERF: what a body read keeps starts as these
    # class-level values and is set on the instance (its `__dict__`) when the body is read, so
    # that creating a request, which every request does, runs one `__init__` frame instead of
    # two and eight stores fewer (about 700 instructions of 23,000 for a plain request,
    # bench/count_instructions.py). Only immutable values here: every write goes to the instance.
    _body: bytes | None = None
    _json: Any = _UNSET
    _form: FormData | None = None
    _recording: UploadFile | None = None
    _stream_consumed: bool = False
    _cleanups: list[Callable[[], Awaitable[None]]] | None = None
    needs_close: bool = False
    """Whether :meth:`close` has anything to do: set once a form is read or a cleanup added (a
    plain attribute, not a property computed from the state above: the app reads it after
    every request, and a property call there measured about 300 instructions)."""

    # ---------------------------------------------------------------- request line and headers
    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        return self.scope["method"]  # type: ignore[no-any-return]

    @property
    def base_url(self) -> URL:
        """The URL of the app's root (scheme, host and ``root_path``)."""
        url = self.url
        return URL(scheme=url.scheme, netloc=url.netloc, path=self.scope.get("root_path", "") + "/")

    def get_query_params(self) -> dict[str, str]:
        """The query parameters as a plain dict (the last value wins for repeated keys)."""
        return dict(self.query_params)

    # ---------------------------------------------------------------- helpers
    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header, or an empty string."""
        return self.headers.get("content-type", "")  # type: ignore[no-any-return]

    def has_header(self, name: str) -> bool:
        """Whether the request carries header ``name``."""
        return name in self.headers

    def is_method(self, method: str) -> bool:
        """Case-insensitive comparison with the request method."""
        return self.method == method.upper()

    @property
    def is_ajax(self) -> bool:
        """Whether ``X-Requested-With: XMLHttpRequest`` is present."""
        return str(self.headers.get("x-requested-with", "")).lower() == "xmlhttprequest"

    def _accepts(self, media_type: str) -> bool:
        accept = self.headers.get("accept", "")
        return media_type in accept

    @property
    def accepts_json(self) -> bool:
        """Whether ``Accept`` names JSON."""
        return self._accepts("application/json") or self._accepts("+json")

    @property
    def accepts_html(self) -> bool:
        """Whether ``Accept`` names HTML."""
        return self._accepts("text/html")

    @property
    def origin(self) -> str:
        """The ``Origin`` header; without one, this app's own origin (``scheme://host``, ``""`` if
        the ``Host`` header is malformed). Never decide trust with it: a client that sends no
        ``Origin`` reads as same-origin here (the CSRF and WebSocket checks read the header)."""
        origin = self.headers.get("origin")
        if origin is not None:
            return origin  # type: ignore[no-any-return]
        url = self.url
        return f"{url.scheme}://{url.netloc}" if _valid_host(url.netloc) else ""

    @property
    def referrer(self) -> str:
        """The ``Referer`` header, or ``""``."""
        return self.headers.get("referer", "")  # type: ignore[no-any-return]

    @property
    def content_length(self) -> int:
        """The ``Content-Length`` header as a number (0 when absent or not a number)."""
        value = self.headers.get("content-length", "")
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 19 else 0

    def valid(self) -> bool:
        """Whether the request line and headers are usable: a known method and headers present
        (upstream Nexios's check; the server has already refused malformed requests)."""
        return self.method in _KNOWN_METHODS and bool(self.scope.get("headers"))

    @property
    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer <token>`` header, if any."""
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        """``(username, password)`` from ``Authorization: Basic``; ``None`` if absent or malformed."""
        scheme, _, encoded = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad base64, non-ASCII text or bad UTF-8 (all ValueErrors)
            return None
        username, sep, password = decoded.partition(":")
        return (username, password) if sep else None

    def get_client_ip(self, trusted_proxies: int = 0, *, trust_forwarded: bool = False) -> str | None:
        """The client IP.

        Without proxies (the default) this is the peer address. Behind ``trusted_proxies``
        reverse proxies that you run, each appending to ``X-Forwarded-For``, the client is the
        entry that many places from the right: entries further left were written by the client
        and can be forged. ``trust_forwarded=True`` means one proxy.
        """
        count = trusted_proxies or (1 if trust_forwarded else 0)
        if count > 0:
            entries = [e.strip() for v in self.headers.getlist("x-forwarded-for") for e in v.split(",")]
            if len(entries) >= count:
                try:
                    return str(ipaddress.ip_address(entries[-count]))
                except ValueError:
                    pass
        client = self.client
        return client.host if client else None

    def build_absolute_uri(self, path: str = "", query_params: Mapping[str, Any] | None = None) -> str:
        """An absolute URL for ``path`` on this app (relative paths resolve against the request's
        path), with ``query_params`` encoded as its query string. Refuses (400) a malformed
        ``Host`` header, so a hostile header cannot be reflected into a link."""
        host = self.url.netloc
        if not _valid_host(host):
            raise BadRequest(detail="Invalid Host header")
        if not path.startswith("/"):
            path = self.url.path.rsplit("/", 1)[0] + "/" + path
        query = f"?{urlencode(query_params, doseq=True)}" if query_params else ""
        return f"{self.url.scheme}://{host}{path}{query}"

    # ---------------------------------------------------------------- body
    @property
    def receive(self) -> Receive:
        """The ASGI receive channel; replays the body if it was already read here (as bytes, or
        as a form: a mounted app behind CSRF still receives the whole body)."""
        if self._body is not None:
            return _replay(self._body, self._receive)
        if self._recording is not None:
            return _replay_recording(self._recording, self._receive)
        return self._receive

    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body in chunks as they arrive, enforcing the body limit while counting.
        A body already read (as bytes, JSON or a form) is yielded again from what was kept."""
        if self._body is not None:
            yield self._body
            return
        if self._recording is not None:
            async for chunk in _recorded_chunks(self._recording):
                yield chunk
            return
        async for chunk in self._client_chunks():
            yield chunk

    async def _client_chunks(self) -> AsyncIterator[bytes]:
        """The body as the client sends it (it can be read this way once)."""
        limit = self._begin_reading()
        async for chunk in self._chunks_from(await self._receive(), limit):
            yield chunk

    def _begin_reading(self) -> int:
        """Mark the body as consumed and check its declared size; returns the size limit."""
        if self._stream_consumed:
            raise RuntimeError("The request body was already streamed")
        self._stream_consumed = True
        limit = self._body_limit()
        declared = self.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    raise PayloadTooLarge(detail=f"Request body exceeds {limit} bytes")
            except ValueError:
                raise BadRequest(detail="Invalid Content-Length header") from None
        return limit

    async def _chunks_from(self, message: Message, limit: int) -> AsyncIterator[bytes]:
        """The body chunks, starting with the already received ``message``."""
        received = 0
        receive = self._receive
        while True:
            kind = message["type"]
            if kind == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    received += len(chunk)
                    if received > limit:
                        raise PayloadTooLarge(detail=f"Request body exceeds {limit} bytes")
                    yield chunk
                if not message.get("more_body", False):
                    return
            elif kind == "http.disconnect":
                raise ClientDisconnect()
            message = await receive()

    def _body_limit(self) -> int:
        limits = limits_for(self.scope)
        if self.content_type.startswith("multipart/"):
            return limits.max_multipart_size
        return limits.max_body_size

    async def _read_body(self) -> bytes:
        if self._body is None and self._recording is not None:
            # The body was parsed as a multipart form: read back the copy kept while parsing.
            self._body = b"".join([chunk async for chunk in _recorded_chunks(self._recording)])
        if self._body is None:
            limit = self._begin_reading()
            message = await self._receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                # A small body comes whole in one message: no generator to run through.
                body = message.get("body", b"")
                if len(body) > limit:
                    raise PayloadTooLarge(detail=f"Request body exceeds {limit} bytes")
            else:
                chunks = [chunk async for chunk in self._chunks_from(message, limit)]
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            self._body = body
        return self._body

    @property
    def body(self) -> AwaitableValue[bytes]:
        """The whole body: ``await request.body`` or ``await request.body()``."""
        return AwaitableValue(self._read_body)

    def _refuse_encoded_body(self) -> None:
        # Request bodies are not decompressed (a zip bomb would bypass the size limit), so a
        # parser must not read compressed bytes as if they were JSON or form data.
        encoding = self.headers.get("content-encoding")
        if encoding and encoding.strip().lower() != "identity":
            raise UnsupportedMediaType(detail=f"Content-Encoding {encoding!r} is not accepted")

    async def _read_text(self) -> str:
        self._refuse_encoded_body()
        charset = resolve_charset(charset_of(self.content_type))  # 415 before reading the body
        body = await self._read_body()
        try:
            return body.decode(charset)
        except UnicodeError:
            raise BadRequest(detail="Request body is not valid text in its declared charset") from None

    @property
    def text(self) -> AwaitableValue[str]:
        """The body decoded as text: the ``Content-Type`` charset (UTF-8, ASCII or Latin-1; any
        other answers 415), UTF-8 by default. Bytes invalid in that charset answer 400."""
        return AwaitableValue(self._read_text)

    async def _read_json(self) -> Any:
        if self._json is _UNSET:
            self._refuse_encoded_body()
            limits = limits_for(self.scope)
            if limits.require_json_content_type and not is_json_media_type(self.content_type):
                # A cross-site form can post `text/plain` that happens to be JSON without a
                # CORS preflight; requiring a JSON media type makes such a request fail here.
                raise UnsupportedMediaType(
                    detail="Expected a JSON body (Content-Type: application/json)"
                )
            body = await self._read_body()
            if not body:
                raise BadRequest(detail="Request body is empty; expected JSON")
            self._json = jsoncodec.loads(body, max_depth=limits.max_json_depth)
        return self._json

    @property
    def json(self) -> AwaitableValue[Any]:
        """The body parsed as JSON: 400 for malformed or hostile JSON, 415 unless the
        ``Content-Type`` is ``application/json`` or ``application/*+json`` (see
        ``Limits.require_json_content_type`` to accept any)."""
        return AwaitableValue(self._read_json)

    async def _read_form(self) -> FormData:
        if self._form is None:
            self.needs_close = True  # the form, or the copy of its body, holds files to release
            self._refuse_encoded_body()
            from .forms import parse_form  # python-multipart loads only for apps that read forms

            content_type = self.content_type
            if not content_type and not await self._read_body():
                self._form = FormData()  # nothing was sent: an empty form, not a 415
                return self._form
            if not content_type.startswith(
                ("multipart/form-data", "application/x-www-form-urlencoded")
            ):
                raise UnsupportedMediaType(
                    detail="Expected multipart/form-data or application/x-www-form-urlencoded"
                )
            try:
                self._form = await parse_form(await self._form_chunks(content_type), content_type,
                                              limits_for(self.scope))
            except BaseException:
                # A partial copy must never be replayed as if it were the body.
                recording, self._recording = self._recording, None
                if recording is not None:
                    await recording.close()
                raise
        return self._form

    async def _form_chunks(self, content_type: str) -> AsyncIterator[bytes]:
        """The body for the form parser, kept so that it can still be read raw afterwards (a
        webhook checking a signature behind CSRF, a mounted app receiving it)."""
        if self._body is not None or self._recording is not None or not content_type.startswith(
            "multipart/"
        ):
            # A urlencoded body is small (``max_body_size``): keep it whole.
            return _one_chunk(await self._read_body())
        # A multipart body may be large: copy it as it streams into a spooled file (in memory up
        # to ``spool_threshold``, then on disk), like the uploads it carries.
        self._recording = UploadFile(None, spool_threshold=limits_for(self.scope).spool_threshold)
        return _recording_while_streaming(self._client_chunks(), self._recording)

    @property
    def form(self) -> AwaitableValue[FormData]:
        """Form fields and uploaded files (``multipart/form-data`` or urlencoded)."""
        return AwaitableValue(self._read_form)

    async def _read_files(self) -> dict[str, UploadFile]:
        return (await self._read_form()).files

    @property
    def form_data(self) -> AwaitableValue[FormData]:
        """``await request.form_data``: upstream Nexios's name for :attr:`form`."""
        return AwaitableValue(self._read_form)

    @property
    def files(self) -> AwaitableValue[dict[str, UploadFile]]:
        """The uploaded files of a multipart form, by field name."""
        return AwaitableValue(self._read_files)

    def add_cleanup(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``await callback()`` after the response has been sent (last added runs first).

        This is the seam dependency injection uses to close generator dependencies once the
        client has its answer, streaming bodies included.
        """
        if self._cleanups is None:
            self._cleanups = []
            self.needs_close = True
        self._cleanups.append(callback)

    async def close(self) -> None:
        """Run cleanups (newest first) and release uploaded files' temporary storage. The app
        calls this after the response has been sent, whatever happened."""
        cleanups = self._cleanups
        self._cleanups = None
        try:
            while cleanups:
                await cleanups.pop()()
        finally:
            if self._form is not None:
                await self._form.close()
            if self._recording is not None:
                await self._recording.close()

    async def is_disconnected(self) -> bool:
        """Whether the client has gone away (checks without waiting)."""
        import anyio

        with anyio.CancelScope() as scope:
            scope.cancel()
            message = await self._receive()
            if message.get("type") == "http.request":
                # A body chunk was waiting: hand it back first, or reading the body would lose it.
                self._receive = _put_back(message, self._receive)
                return False
            return message.get("type") == "http.disconnect"
        return False

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"




def _put_back(message: Message, receive: Receive) -> Receive:
    """A receive channel that gives ``message`` first, then what ``receive`` gives."""
    pending = [message]

    async def receive_again() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return receive_again


def routed_path(scope: Scope) -> str:
    """The path an app routes on: ``path`` below ``root_path`` (servers and mounts put the full
    path in ``path``). Only a whole leading segment is removed, and nothing is rebuilt from
    headers, so security checks (CSRF exemptions, static roots) see what the router sees."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path") or ""
    if root_path:
        root_path = root_path.rstrip("/")
        if path == root_path:
            return "/"
        if root_path and path.startswith(root_path) and path[len(root_path)] == "/":
            return path[len(root_path):]
    return path


async def _one_chunk(body: bytes) -> AsyncIterator[bytes]:
    yield body


_REPLAY_CHUNK = 64 * 1024


async def _recording_while_streaming(chunks: AsyncIterator[bytes], recording: UploadFile) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        await recording.write(chunk)
        yield chunk


async def _recorded_chunks(recording: UploadFile) -> AsyncIterator[bytes]:
    await recording.seek(0)
    while chunk := await recording.read(_REPLAY_CHUNK):
        yield chunk


def _replay_recording(recording: UploadFile, receive: Receive) -> Receive:
    """A receive channel giving the recorded body in chunks, then what ``receive`` gives."""
    chunks: AsyncIterator[bytes] | None = None
    done = False

    async def replay() -> Message:
        nonlocal chunks, done
        if done:
            return await receive()
        if chunks is None:
            chunks = _recorded_chunks(recording)
        chunk = await anext(chunks, None)
        if chunk is None:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    return replay


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def is_json_media_type(content_type: str) -> bool:
    """Whether a ``Content-Type`` value is ``application/json`` or ``application/*+json``."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _valid_host(host: str) -> bool:
    # ASCII only: header bytes arrive decoded as latin-1, where "\xb2" ("²") passes isdigit()
    # and "\xe9" isalnum(), yet neither may appear in a host name or port.
    if not host or len(host) > 255 or not host.isascii():
        return False
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:
        name, port = host, ""
    if port and not (port.isdigit() and len(port) <= 5):
        return False
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
            return name.endswith("]")
        except ValueError:
            return False
    return all(label and all(c.isalnum() or c == "-" for c in label) for label in name.split("."))


__all__ = ["Request", "is_json_media_type", "parse_cookie_header", "routed_path"]
