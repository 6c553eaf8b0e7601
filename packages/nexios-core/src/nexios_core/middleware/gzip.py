"""Gzip response compression as a pure ASGI middleware.

Compression happens only when the client's ``Accept-Encoding`` allows gzip and the response is
worth it: not already encoded, not a partial (206 / ``Content-Range``) or bodiless (HEAD, 204, 304)
response, not an excluded media type, and not smaller than ``minimum_size``. Streaming responses
are compressed chunk by chunk and flushed after each chunk, so a client sees data as soon as the
app produces it and memory stays flat however long the stream is.

Usage::

    app = GZipMiddleware(app, minimum_size=500, compresslevel=6)
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable

from ..exceptions import ImproperlyConfigured
from ..types import ASGIApp, Message, Receive, Scope, Send

RawHeaders = list[tuple[bytes, bytes]]

# Formats that are already compressed (or are event streams, which must never be held back
# by a compressor). ``type/*`` covers every subtype. SVG is deliberately absent: it is text.
DEFAULT_EXCLUDED_MEDIA_TYPES: tuple[str, ...] = (
    "text/event-stream",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/heic",
    "image/heif",
    "video/*",
    "audio/*",
    "font/woff",
    "font/woff2",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-7z-compressed",
    "application/x-rar-compressed",
    "application/zstd",
)

# wbits 16 + 15 makes zlib write a gzip header and trailer around the deflate stream.
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_NO_BODY_STATUSES = frozenset({204, 205, 304})


@functools.lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (q-values honoured, ``q=0`` refuses).

    ``gzip`` (or its alias ``x-gzip``) decides when listed; otherwise ``*`` does. Cached because
    browsers send a handful of distinct values; the cache is bounded, so hostile values cannot
    grow it.
    """
    gzip_q: float | None = None
    star_q: float | None = None
    for item in accept_encoding.split(b","):
        coding, _, params = item.partition(b";")
        coding = coding.strip().lower()
        if coding not in (b"gzip", b"x-gzip", b"*"):
            continue
        quality = _quality(params)
        if quality is None:
            continue  # a malformed q-value says nothing we can trust
        if coding == b"*":
            star_q = quality if star_q is None else max(star_q, quality)
        else:
            gzip_q = quality if gzip_q is None else max(gzip_q, quality)
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def _quality(params: bytes) -> float | None:
    for param in params.split(b";"):
        key, _, value = param.partition(b"=")
        if key.strip().lower() == b"q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            # RFC 9110 qvalues are 0..1 with at most three decimals; float() also takes "nan".
            return quality if 0.0 <= quality <= 1.0 else None
    return 1.0


class GZipMiddleware:
    """Compress HTTP responses with gzip when the client accepts it.

    ``minimum_size`` (bytes, default 500): smaller bodies are sent as they are, since the gzip
    framing would cost more than it saves. ``compresslevel`` (1-9, default 6) trades CPU for size.
    ``exclude_media_types`` lists content types never compressed (``"video/*"`` matches every
    subtype); the default covers already-compressed formats and ``text/event-stream``.

    Compressed responses get ``Content-Encoding: gzip`` and ``Vary: Accept-Encoding``, a corrected
    (single body) or removed (stream) ``Content-Length``, and a strong ``ETag`` made weak, because
    the bytes on the wire are no longer those the tag named. Non-HTTP scopes pass through.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        minimum_size: int = 500,
        compresslevel: int = 6,
        exclude_media_types: Iterable[str] = DEFAULT_EXCLUDED_MEDIA_TYPES,
    ) -> None:
        if isinstance(minimum_size, bool) or not isinstance(minimum_size, int) or minimum_size < 0:
            raise ImproperlyConfigured(
                f"GZip: minimum_size must be a non-negative int, got {minimum_size!r}"
            )
        if isinstance(compresslevel, bool) or compresslevel not in range(1, 10):
            raise ImproperlyConfigured(
                f"GZip: compresslevel must be an int from 1 to 9, got {compresslevel!r}"
            )
        if isinstance(exclude_media_types, str):
            exclude_media_types = (exclude_media_types,)
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel
        exact: set[bytes] = set()
        whole_types: set[bytes] = set()
        for media_type in exclude_media_types:
            encoded = media_type.strip().lower().encode("latin-1")
            if encoded.endswith(b"/*"):
                whole_types.add(encoded[:-1])  # keep the slash: b"video/"
            else:
                exact.add(encoded)
        self._excluded_exact = frozenset(exact)
        self._excluded_types = frozenset(whole_types)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        accept_encoding = b""
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accept_encoding = value if not accept_encoding else accept_encoding + b"," + value
        if not accept_encoding or not accepts_gzip(accept_encoding):
            await self.app(scope, receive, send)
            return
        responder = _GZipResponder(self, send)
        await self.app(scope, receive, responder.send)

    def _is_excluded(self, content_type: bytes) -> bool:
        media_type = content_type.partition(b";")[0].strip().lower()
        if media_type in self._excluded_exact:
            return True
        return media_type.partition(b"/")[0] + b"/" in self._excluded_types


class _GZipResponder:
    """Per-response state: hold ``http.response.start`` until the first body shows the size."""

    __slots__ = ("_compressor", "_config", "_passthrough", "_send", "_start")

    def __init__(self, config: GZipMiddleware, send: Send) -> None:
        self._config = config
        self._send = send
        self._start: Message | None = None
        self._compressor: zlib._Compress | None = None
        self._passthrough = False

    async def send(self, message: Message) -> None:
        if self._passthrough:
            await self._send(message)
            return
        kind = message["type"]
        if kind == "http.response.start":
            if self._should_skip(message):
                self._passthrough = True
                await self._send(message)
            else:
                self._start = message
            return
        if kind != "http.response.body":
            # An extension message (e.g. pathsend) or trailers: send what we held untouched.
            await self._release_untouched()
            await self._send(message)
            return
        if self._compressor is None:
            await self._first_body(message)
        else:
            await self._next_body(message)

    def _should_skip(self, start: Message) -> bool:
        status = start["status"]
        if status < 200 or status in _NO_BODY_STATUSES or status == 206:
            return True
        for name, value in start.get("headers", ()):
            name = name.lower()
            if name in (b"content-encoding", b"content-range"):
                return True
            if name == b"content-type" and self._config._is_excluded(value):
                return True
            if name == b"content-length":
                # A declared small body can be let through before it is even sent.
                try:
                    if int(value) < self._config.minimum_size:
                        return True
                except ValueError:
                    pass
        return False

    async def _release_untouched(self) -> None:
        self._passthrough = True
        if self._start is not None:
            start, self._start = self._start, None
            await self._send(start)

    async def _first_body(self, message: Message) -> None:
        body: bytes = message.get("body", b"")
        more_body: bool = message.get("more_body", False)
        if not more_body and len(body) < self._config.minimum_size:
            await self._release_untouched()
            await self._send(message)
            return

        start = self._start
        assert start is not None, "http.response.body sent before http.response.start"
        self._start = None
        compressor = zlib.compressobj(self._config.compresslevel, zlib.DEFLATED, _GZIP_WBITS)
        self._compressor = compressor
        if more_body:
            data = compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH)
            start["headers"] = _compressed_headers(start.get("headers", ()), None)
        else:
            data = compressor.compress(body) + compressor.flush(zlib.Z_FINISH)
            start["headers"] = _compressed_headers(start.get("headers", ()), len(data))
        await self._send(start)
        await self._send({"type": "http.response.body", "body": data, "more_body": more_body})

    async def _next_body(self, message: Message) -> None:
        compressor = self._compressor
        assert compressor is not None
        body: bytes = message.get("body", b"")
        more_body: bool = message.get("more_body", False)
        if more_body:
            if not body:
                return  # nothing to flush; an empty sync-flush block would only add bytes
            data = compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH)
        else:
            data = compressor.compress(body) + compressor.flush(zlib.Z_FINISH)
        await self._send({"type": "http.response.body", "body": data, "more_body": more_body})


def _compressed_headers(headers: Iterable[tuple[bytes, bytes]], length: int | None) -> RawHeaders:
    """Copy ``headers`` for a gzip body of ``length`` bytes (``None``: streamed, no length)."""
    result: RawHeaders = []
    vary_index = -1
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length":
            continue
        if lowered == b"etag" and not value.startswith(b"W/"):
            value = b"W/" + value
        elif lowered == b"vary" and vary_index < 0:
            vary_index = len(result)
        result.append((name, value))
    if length is not None:
        result.append((b"content-length", str(length).encode()))
    result.append((b"content-encoding", b"gzip"))
    if vary_index < 0:
        result.append((b"vary", b"Accept-Encoding"))
    else:
        name, value = result[vary_index]
        listed = [part.strip().lower() for part in value.split(b",")]
        if b"accept-encoding" not in listed and b"*" not in listed:
            result[vary_index] = (
                name,
                value + b", Accept-Encoding" if value.strip() else b"Accept-Encoding",
            )
    return result


__all__ = ["DEFAULT_EXCLUDED_MEDIA_TYPES", "GZipMiddleware", "accepts_gzip"]
