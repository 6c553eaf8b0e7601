"""Sending a file from disk: conditional requests, byte ranges and download names.

:class:`FileResponse` does its work when it is called, not when it is built, because the response
builder may create it before the file exists. At call time it stats the file in a worker thread and
answers with one of:

* ``404`` JSON ``{"detail": "Not Found"}`` when the path is missing, a directory or not a regular
  file (opening a FIFO or device would block);
* ``304`` when ``If-None-Match`` (preferred) or ``If-Modified-Since`` shows the client's copy is
  current;
* ``416`` with ``Content-Range: bytes */<size>`` when no requested range overlaps the file, or when
  the ``Range`` header lists more than ``Limits.max_ranges`` ranges;
* ``206`` for one range (``Content-Range``) or several (``multipart/byteranges``);
* the full file with the response's own status otherwise.

Conditional and range handling apply only when the status is ``200`` (a ``404.html`` page is never
sent as ``206``) and only to ``GET``/``HEAD``; ``HEAD`` ignores ``Range``, as RFC 9110 says. A
malformed ``Range`` header is ignored and the whole file is sent, which RFC 9110 allows.
"""

from __future__ import annotations

import email.utils
import mimetypes
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote

import anyio

from . import jsoncodec
from .background import BackgroundTask
from .datastructures import Headers, RawHeaders
from .exceptions import RangeNotSatisfiable
from .limits import limits_for
from .responses import _NO_BODY_STATUSES, BaseResponse, _content_type_bytes
from .types import Receive, Scope, Send

ByteRange = tuple[int, int]
"""An inclusive ``(first, last)`` byte range, as ``Content-Range`` writes it."""

_RANGE_SPEC = re.compile(r"(\d*)-(\d*)", re.ASCII)
_ENTITY_TAG = re.compile(r'\*|(?:W/)?"[^"]*"')
# No file is larger than 10**18 bytes; clamping longer numbers keeps int() away from the
# 4300-digit ValueError and from big-integer arithmetic on hostile input.
_MAX_POSITION_DIGITS = 18
_POSITION_CEILING = 10**_MAX_POSITION_DIGITS
# Headers describing the file itself: they must not travel on a 304, 404 or 416 answer.
_REPRESENTATION_HEADERS = frozenset(
    {b"content-type", b"content-length", b"content-range", b"content-disposition", b"content-encoding"}
)
_PLAIN_FILENAME_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\", "%"}


def _position(digits: str) -> int:
    return _POSITION_CEILING if len(digits) > _MAX_POSITION_DIGITS else int(digits)


def parse_byte_ranges(header: str, size: int, max_ranges: int) -> list[ByteRange] | None:
    """Parse a ``Range`` header for a file of ``size`` bytes.

    Returns the satisfiable ranges sorted and with overlapping or adjacent ones merged, or ``None``
    when the header is malformed or uses another unit (the caller then sends the whole file).
    Raises :class:`RangeNotSatisfiable` when it lists more than ``max_ranges`` ranges or when none of
    them overlaps the file.
    """
    unit, equals, spec_list = header.partition("=")
    if not equals or unit.strip(" \t").lower() != "bytes":
        return None
    specs = [spec.strip(" \t") for spec in spec_list.split(",")]
    specs = [spec for spec in specs if spec]  # HTTP lists may contain empty elements
    if not specs:
        return None
    if len(specs) > max_ranges:
        raise RangeNotSatisfiable(detail=f"Too many ranges (limit {max_ranges})")

    ranges: list[ByteRange] = []
    for spec in specs:
        match = _RANGE_SPEC.fullmatch(spec)
        if match is None:
            return None
        first_digits, last_digits = match.groups()
        if first_digits:
            first = _position(first_digits)
            last = _position(last_digits) if last_digits else None
            if last is not None and last < first:
                return None  # RFC 9110 14.1.1: such a header is invalid as a whole
            if first < size:
                ranges.append((first, size - 1 if last is None else min(last, size - 1)))
        elif last_digits:
            suffix_length = _position(last_digits)
            if suffix_length > 0 and size > 0:
                ranges.append((max(0, size - suffix_length), size - 1))
        else:
            return None  # a bare "-"
    if not ranges:
        raise RangeNotSatisfiable(detail="Range Not Satisfiable")
    return _merge(ranges)


def _merge(ranges: list[ByteRange]) -> list[ByteRange]:
    # Sorting first makes the merge one pass: O(n log n) whatever order the client chose, and
    # a header repeating "0-" a hundred times sends the file once, not a hundred times.
    ranges.sort()
    merged = [ranges[0]]
    for first, last in ranges[1:]:
        previous_first, previous_last = merged[-1]
        if first <= previous_last + 1:
            merged[-1] = (previous_first, max(previous_last, last))
        else:
            merged.append((first, last))
    return merged


def content_disposition_header(disposition_type: str, filename: str) -> str:
    """A ``Content-Disposition`` value naming ``filename`` (RFC 6266).

    Plain ASCII names are sent quoted. Other names get an ASCII ``filename`` fallback for old
    clients plus ``filename*=utf-8''...`` (RFC 5987), which current browsers prefer.
    """
    if filename and all(char in _PLAIN_FILENAME_CHARS for char in filename):
        return f'{disposition_type}; filename="{filename}"'
    encoded = quote(filename, safe="")
    return f"{disposition_type}; filename=\"{_ascii_fallback(filename)}\"; filename*=utf-8''{encoded}"


def _ascii_fallback(filename: str) -> str:
    # Decompose so "café" becomes "cafe" rather than "caf_"; anything else unsafe becomes "_".
    chars: list[str] = []
    for char in unicodedata.normalize("NFKD", filename):
        if char in _PLAIN_FILENAME_CHARS:
            chars.append(char)
        elif not unicodedata.combining(char):
            chars.append("_")
    return "".join(chars) or "download"


def _entity_tag(file_stat: os.stat_result) -> str:
    # Strong (as nginx does): a change of content changes mtime or size, and If-Range needs a
    # strong validator to be usable at all.
    return f'"{file_stat.st_mtime_ns:x}-{file_stat.st_size:x}"'


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _http_date_timestamp(value: str) -> int | None:
    try:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else email.utils.mktime_tz(parsed)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


class FileResponse(BaseResponse):
    """Send the file at ``path``, with ``ETag``/``Last-Modified``, ``Range`` and conditional GETs.

    ``FileResponse(path, filename)``: ``media_type`` is guessed from ``filename`` (or ``path``)
    when not given. ``filename`` adds a
    ``Content-Disposition`` of ``content_disposition_type`` (``inline`` or ``attachment``). A
    ``stat_result`` already taken by the caller is used instead of statting again. The file is read
    in ``chunk_size`` pieces without blocking the event loop. See the module docstring for which
    status is sent when.
    """

    __slots__ = ("path", "filename", "stat_result", "chunk_size")

    def __init__(
        self,
        path: str | os.PathLike[str],
        filename: str | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        stat_result: os.stat_result | None = None,
        content_disposition_type: str = "inline",
        chunk_size: int = 64 * 1024,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        super().__init__(None, status_code=status_code, headers=headers, media_type=media_type,
                         background=background)
        self.path: str = os.fspath(path)
        self.filename = filename
        self.stat_result = stat_result
        self.chunk_size = chunk_size
        if self._media_type is None:
            guessed, _ = mimetypes.guess_type(filename or self.path)
            self._media_type = guessed or "application/octet-stream"
        if filename is not None and not self.has_header("content-disposition"):
            self.headers["content-disposition"] = content_disposition_header(
                content_disposition_type, filename
            )

    # ---------------------------------------------------------------- deciding what to send
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._respond(scope, send)
        if self.background is not None:
            await self.background()

    async def _respond(self, scope: Scope, send: Send) -> None:
        method = scope.get("method", "GET")
        file_stat = await self._stat()
        if file_stat is None:
            await self._send_json_error(send, method, 404, "Not Found")
            return
        size = file_stat.st_size
        etag = self._own_header(b"etag") or _entity_tag(file_stat)
        validators: RawHeaders = [
            (b"etag", etag.encode("latin-1")),
            (b"last-modified", email.utils.formatdate(file_stat.st_mtime, usegmt=True).encode("latin-1")),
        ]
        modified_at = int(file_stat.st_mtime)
        request_headers = Headers(raw=scope.get("headers", ()))

        if self.status_code != 200 or method not in ("GET", "HEAD"):
            await self._send_whole(send, method, size, validators)
            return
        if _not_modified(request_headers, etag, modified_at):
            await self._send_not_modified(send, validators)
            return
        range_header = request_headers.get("range")
        if method == "HEAD" or range_header is None or not _if_range_holds(
            request_headers.get("if-range"), etag, modified_at
        ):
            await self._send_whole(send, method, size, validators)
            return
        try:
            ranges = parse_byte_ranges(range_header, size, limits_for(scope).max_ranges)
        except RangeNotSatisfiable as refusal:
            await self._send_json_error(
                send, method, 416, str(refusal.detail), [(b"content-range", f"bytes */{size}".encode())]
            )
            return
        if ranges is None:
            await self._send_whole(send, method, size, validators)
        elif len(ranges) == 1:
            await self._send_single_range(send, size, ranges[0], validators)
        else:
            await self._send_multiple_ranges(send, size, ranges, validators)

    async def _stat(self) -> os.stat_result | None:
        file_stat = self.stat_result
        if file_stat is None:
            try:
                file_stat = await anyio.to_thread.run_sync(os.stat, self.path)
            except (OSError, ValueError):  # ValueError: a NUL byte in the path
                return None
        return file_stat if stat.S_ISREG(file_stat.st_mode) else None

    def _own_header(self, name: bytes) -> str | None:
        for key, value in self.raw_headers:
            if key == name:
                return value.decode("latin-1")
        return None

    # ---------------------------------------------------------------- header lists
    def _with_extras(self, headers: RawHeaders, extras: RawHeaders) -> RawHeaders:
        """``headers`` plus those ``extras`` the caller did not set already."""
        present = {name for name, _ in headers}
        headers.extend(item for item in extras if item[0] not in present)
        return headers

    def _carried_headers(self) -> RawHeaders:
        """Caller-set headers that still apply when the file itself is not sent (cookies...)."""
        return [item for item in self.raw_headers if item[0] not in _REPRESENTATION_HEADERS]

    # ---------------------------------------------------------------- answers
    async def _send_json_error(
        self, send: Send, method: str, status: int, detail: str, extra: RawHeaders | None = None
    ) -> None:
        body = jsoncodec.dumps({"detail": detail})
        headers: RawHeaders = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("latin-1")),
        ]
        headers.extend(extra or ())
        headers.extend(self._carried_headers())
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def _send_not_modified(self, send: Send, validators: RawHeaders) -> None:
        headers = self._with_extras(self._carried_headers(), validators)
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _send_whole(self, send: Send, method: str, size: int, validators: RawHeaders) -> None:
        headers = self._with_extras(self._start_headers(size), [(b"accept-ranges", b"bytes"), *validators])
        if method == "HEAD" or self.status_code in _NO_BODY_STATUSES:
            await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        file = await self._open()
        if file is None:
            await self._send_json_error(send, method, 404, "Not Found")
            return
        async with file:
            await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
            await self._send_bytes(file, send, 0, size - 1)
        await send({"type": "http.response.body", "body": b""})

    async def _send_single_range(
        self, send: Send, size: int, byte_range: ByteRange, validators: RawHeaders
    ) -> None:
        first, last = byte_range
        headers = self._with_extras(
            self._start_headers(last - first + 1),
            [(b"content-range", f"bytes {first}-{last}/{size}".encode("latin-1")),
             (b"accept-ranges", b"bytes"), *validators],
        )
        file = await self._open()
        if file is None:
            await self._send_json_error(send, "GET", 404, "Not Found")
            return
        async with file:
            await send({"type": "http.response.start", "status": 206, "headers": headers})
            await self._send_bytes(file, send, first, last)
        await send({"type": "http.response.body", "body": b""})

    async def _send_multiple_ranges(
        self, send: Send, size: int, ranges: list[ByteRange], validators: RawHeaders
    ) -> None:
        # A random boundary cannot be predicted, so file content cannot forge a part delimiter.
        boundary = secrets.token_hex(16)
        part_type = self._own_header(b"content-type") or _content_type_bytes(
            self._media_type or "application/octet-stream"
        ).decode("latin-1")
        part_heads = [
            (f"--{boundary}\r\ncontent-type: {part_type}\r\n"
             f"content-range: bytes {first}-{last}/{size}\r\n\r\n").encode("latin-1")
            for first, last in ranges
        ]
        closing = f"--{boundary}--\r\n".encode("latin-1")
        length = len(closing) + sum(
            len(head) + (last - first + 1) + 2 for head, (first, last) in zip(part_heads, ranges, strict=True)
        )
        headers: RawHeaders = [
            (b"content-type", f"multipart/byteranges; boundary={boundary}".encode("latin-1")),
            (b"content-length", str(length).encode("latin-1")),
        ]
        headers.extend(item for item in self.raw_headers if item[0] not in (b"content-type", b"content-length"))
        headers = self._with_extras(headers, [(b"accept-ranges", b"bytes"), *validators])
        file = await self._open()
        if file is None:
            await self._send_json_error(send, "GET", 404, "Not Found")
            return
        async with file:
            await send({"type": "http.response.start", "status": 206, "headers": headers})
            for head, (first, last) in zip(part_heads, ranges, strict=True):
                await send({"type": "http.response.body", "body": head, "more_body": True})
                await self._send_bytes(file, send, first, last)
                await send({"type": "http.response.body", "body": b"\r\n", "more_body": True})
            await send({"type": "http.response.body", "body": closing, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    # ---------------------------------------------------------------- reading
    async def _open(self) -> anyio.AsyncFile[bytes] | None:
        # Opened before the status line goes out, so a file removed since the stat is still a 404.
        try:
            return await anyio.open_file(self.path, "rb")
        except (OSError, ValueError):
            return None

    async def _send_bytes(self, file: anyio.AsyncFile[bytes], send: Send, first: int, last: int) -> None:
        if first:
            await file.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = await file.read(min(self.chunk_size, remaining))
            if not chunk:
                # The file shrank after the stat. The length is already promised, so stop: the
                # server sees the short body and closes the connection rather than hang.
                return
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})


def _not_modified(request_headers: Headers, etag: str, modified_at: int) -> bool:
    if_none_match = request_headers.getlist("if-none-match")
    if if_none_match:
        # RFC 9110 13.1.2: weak comparison; If-Modified-Since is ignored when this is present.
        ours = _opaque(etag)
        return any(
            tag == "*" or _opaque(tag) == ours
            for tag in _ENTITY_TAG.findall(",".join(if_none_match))
        )
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since is not None:
        since = _http_date_timestamp(if_modified_since)
        return since is not None and modified_at <= since
    return False


def _if_range_holds(if_range: str | None, etag: str, modified_at: int) -> bool:
    """Whether ``Range`` applies: no ``If-Range``, or it still matches the file (RFC 9110 13.1.5)."""
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        # Strong comparison: a weak tag never matches.
        return not if_range.startswith("W/") and not etag.startswith("W/") and if_range == etag
    return _http_date_timestamp(if_range) == modified_at


__all__ = ["ByteRange", "FileResponse", "content_disposition_header", "parse_byte_ranges"]
