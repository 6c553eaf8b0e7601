"""Bounded parsing of HTML form bodies (``urlencoded`` and ``multipart/form-data``).

:func:`parse_form` streams the request body through python-multipart's incremental parsers, so no
body is ever buffered whole. Every count and size is checked against :class:`~nexios_core.limits.Limits`
as bytes arrive: a body, part or count over its limit answers 413, a malformed body 400, any other
content type 415. Uploaded files become :class:`~nexios_core.datastructures.UploadFile` objects that
spool to disk above ``limits.spool_threshold``; when parsing fails, every file already created is
closed before the error propagates, so nothing leaks.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import anyio
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from .charsets import resolve_charset
from .datastructures import FormData, Headers, UploadFile
from .exceptions import BadRequest, PayloadTooLarge, UnsupportedMediaType
from .limits import KIB, Limits

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

URLENCODED = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/form-data"

DEFAULT_FILE_CONTENT_TYPE = "application/octet-stream"

MAX_PART_HEADERS_SIZE = 16 * KIB
"""Bytes of headers one multipart part may carry (400 beyond).

python-multipart bounds header lines itself in recent releases; this guard keeps the bound when an
older release without those limits is installed, since the headers are held in memory.
"""

# RFC 2046 section 5.1.1 "bchars": the only characters a boundary may contain.
_BOUNDARY_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? "

# Control characters (tab excepted) have no business in a header value; a bare LF in particular
# would let a client smuggle a second "header" past one parser and into another.
_HEADER_CONTROL_CHARS = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

# python-multipart logs a warning for every malformed body. Each one becomes a 400 here, so the
# warnings say nothing new and would let a hostile client flood the application's logs.
logging.getLogger("python_multipart").setLevel(logging.ERROR)


async def parse_form(chunks: AsyncIterator[bytes], content_type: str, limits: Limits) -> FormData:
    """Parse a streamed form body into :class:`FormData`.

    ``chunks`` is the raw body, ``content_type`` the full ``Content-Type`` header value.
    ``application/x-www-form-urlencoded`` and ``multipart/form-data`` are understood; any other type
    raises :class:`UnsupportedMediaType` (415). Exceeding a limit raises :class:`PayloadTooLarge`
    (413); a malformed body, boundary or field encoding raises :class:`BadRequest` (400).

    A multipart part with a ``filename`` parameter (even an empty one) becomes an
    :class:`UploadFile`, positioned at its start, whose ``filename`` has any directory components
    removed. The caller owns the returned files and should ``await form.close()`` when done.
    """
    try:
        media_type, params = parse_options_header(content_type)
    except ValueError as exc:  # a str that is not latin-1 cannot be a real header value
        raise BadRequest(detail="Malformed Content-Type header") from exc
    # Older python-multipart releases (the ones Python 3.10 gets) do not lower-case it.
    media_type = media_type.lower()

    if media_type == URLENCODED:
        charset = resolve_charset(_param_text(params.get(b"charset")))
        return await _parse_urlencoded(chunks, charset, limits)
    if media_type == MULTIPART:
        boundary = _checked_boundary(params.get(b"boundary"), limits)
        return await _parse_multipart(chunks, boundary, limits)
    raise UnsupportedMediaType(detail="Expected a form body: application/x-www-form-urlencoded or multipart/form-data")


def _checked_boundary(boundary: bytes | None, limits: Limits) -> bytes:
    if not boundary:
        raise BadRequest(detail="Multipart Content-Type has no boundary")
    if len(boundary) > limits.max_boundary_length:
        raise BadRequest(detail=f"Multipart boundary is longer than {limits.max_boundary_length} characters")
    if boundary.translate(None, _BOUNDARY_CHARS) or boundary.endswith(b" "):
        raise BadRequest(detail="Multipart boundary contains characters RFC 2046 does not allow")
    return boundary


def _param_text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None


def _decode(data: bytes, charset: str, what: str) -> str:
    # `charset` always comes from `resolve_charset`: one of the few codecs a client may choose.
    try:
        return data.decode(charset)
    except UnicodeError as exc:
        raise BadRequest(detail=f"{what.capitalize()} is not valid {charset}") from exc


# --- application/x-www-form-urlencoded -----------------------------------------------------------


class _UrlencodedCollector:
    """Splits a streamed urlencoded body into raw ``(name, value)`` fields, counting them.

    The body is split on ``&`` with ``bytes.split`` (one C pass per chunk; empty fields are dropped
    by ``filter``), so a body of a million ``&`` costs milliseconds rather than a Python-level step
    per byte. Only the unfinished last field of a chunk is carried over, in a ``bytearray`` that
    grows in amortised constant time however small the chunks are. Fields are decoded afterwards.
    """

    def __init__(self, max_fields: int) -> None:
        self.fields: list[tuple[bytes, bytes]] = []
        self._max_fields = max_fields
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> None:
        if b"&" not in chunk:
            self._pending += chunk
            return
        first, *complete, last = chunk.split(b"&")
        self._pending += first
        self._field(bytes(self._pending))
        for piece in filter(None, complete):
            self._field(piece)
        self._pending = bytearray(last)

    def finish(self) -> None:
        self._field(bytes(self._pending))
        self._pending = bytearray()

    def _field(self, piece: bytes) -> None:
        if not piece:
            return
        if len(self.fields) >= self._max_fields:
            raise PayloadTooLarge(detail=f"Form has more than {self._max_fields} fields")
        name, _, value = piece.partition(b"=")
        self.fields.append((name, value))


# A "%" not followed by two hex digits stands for itself (as ``urllib.parse.unquote_to_bytes`` reads
# it). A fixed-width lookahead: one step per "%", no backtracking.
_LONE_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")

DECODE_SLICE = 64 * KIB
"""Bytes of one form field percent-decoded between two checkpoints of the event loop."""


def percent_decode(raw: bytes) -> bytes:
    """``urllib.parse.unquote_to_bytes(raw)``, without a Python-level step per escape.

    The standard library's loop costs about a microsecond per escape, and more for a lone ``%``
    (an exception each): a 1 MiB form value of ``%`` held the event loop for 1.8 s. Here a lone
    ``%`` becomes ``%25``, every escape ``\\xHH`` (backslashes doubled first), and the C
    ``escape_decode`` turns those into bytes. Decoding ``a + b`` gives the decoded ``a`` followed
    by the decoded ``b`` whenever ``b`` starts with ``%``: :func:`percent_decode_in_slices` relies on it.
    """
    if b"%" not in raw:
        return raw
    if _LONE_PERCENT.search(raw) is not None:
        raw = _LONE_PERCENT.sub(b"%25", raw)
    decoded: bytes = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    return decoded


async def percent_decode_in_slices(raw: bytes) -> bytes:
    """:func:`percent_decode` of a value of any size, yielding to the event loop every
    :data:`DECODE_SLICE` bytes (each slice is cut just before a ``%``, so no escape is split)."""
    if len(raw) <= DECODE_SLICE or b"%" not in raw:
        return percent_decode(raw)
    decoded: list[bytes] = []
    start = 0
    while start < len(raw):
        cut = raw.find(b"%", start + DECODE_SLICE)
        if cut < 0:
            cut = len(raw)
        decoded.append(percent_decode(raw[start:cut]))
        start = cut
        await anyio.sleep(0)
    return b"".join(decoded)


async def _parse_urlencoded(chunks: AsyncIterator[bytes], charset: str, limits: Limits) -> FormData:
    collector = _UrlencodedCollector(limits.max_form_fields)
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limits.max_body_size:
            raise PayloadTooLarge(detail=f"Form body is larger than {limits.max_body_size} bytes")
        if chunk:
            collector.feed(chunk)
    collector.finish()
    items: list[tuple[str, str | UploadFile]] = []
    for raw_name, raw_value in collector.fields:
        name = await percent_decode_in_slices(raw_name.replace(b"+", b" "))
        value = await percent_decode_in_slices(raw_value.replace(b"+", b" "))
        items.append((_decode(name, charset, "form field name"), _decode(value, charset, "form field value")))
    return FormData(items)


# --- multipart/form-data -------------------------------------------------------------------------


class _MultipartCollector:
    """Receives python-multipart's multipart callbacks and builds fields and files.

    The callbacks are synchronous but file writes are not, so file data is queued in
    ``pending_writes`` and written by :meth:`flush` after each chunk; at most one chunk's worth
    is ever queued.
    """

    def __init__(self, limits: Limits) -> None:
        self.items: list[tuple[str, str | UploadFile]] = []
        self.uploads: list[UploadFile] = []
        self.pending_writes: list[tuple[UploadFile, bytes]] = []
        self._limits = limits
        self._part_count = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._headers_size = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._name = ""
        self._upload: UploadFile | None = None
        self._field_value = bytearray()
        self._field_charset = "utf-8"

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
        }

    async def flush(self) -> None:
        """Write the file data queued while parsing the last chunk."""
        writes, self.pending_writes = self.pending_writes, []
        for upload, data in writes:
            await upload.write(data)

    async def discard(self) -> None:
        """Close every file created so far (parsing failed; the caller will never see them)."""
        # Shielded so that a cancelled request still releases its temporary files.
        with anyio.CancelScope(shield=True):
            for upload in self.uploads:
                await upload.close()

    def _on_part_begin(self) -> None:
        self._headers = []
        self._headers_size = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._upload = None
        self._field_value = bytearray()

    def _grow_headers(self, size: int) -> None:
        self._headers_size += size
        if self._headers_size > MAX_PART_HEADERS_SIZE:
            raise BadRequest(detail=f"Multipart part headers are larger than {MAX_PART_HEADERS_SIZE} bytes")

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._grow_headers(end - start)
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._grow_headers(end - start)
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        value = bytes(self._header_value).strip(b" \t")
        if _HEADER_CONTROL_CHARS.search(value):
            raise BadRequest(detail="Multipart part header contains a control character")
        self._headers.append((bytes(self._header_name).lower(), value))
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _header(self, name: bytes) -> bytes | None:
        values = [value for key, value in self._headers if key == name]
        if len(values) > 1:
            # Two parsers could each pick a different one; refuse rather than guess.
            raise BadRequest(detail=f"Multipart part repeats the {name.decode()} header")
        return values[0] if values else None

    def _on_headers_finished(self) -> None:
        limits = self._limits
        self._part_count += 1
        if self._part_count > limits.max_form_parts:
            raise PayloadTooLarge(detail=f"Multipart form has more than {limits.max_form_parts} parts")

        disposition = self._header(b"content-disposition")
        if disposition is None:
            raise BadRequest(detail="Multipart part has no Content-Disposition header")
        kind, params = parse_options_header(disposition)
        if kind.lower() != b"form-data":
            raise BadRequest(detail="Multipart part Content-Disposition is not form-data")
        name = params.get(b"name")
        if name is None:
            raise BadRequest(detail="Multipart part has no name")
        self._name = _decode(name, "utf-8", "multipart part name")

        content_type = self._header(b"content-type")
        filename = params.get(b"filename")
        if filename is None:
            charset = parse_options_header(content_type)[1].get(b"charset") if content_type else None
            self._field_charset = resolve_charset(_param_text(charset))
            return

        if len(self.uploads) >= limits.max_files:
            raise PayloadTooLarge(detail=f"Multipart form has more than {limits.max_files} files")
        upload = UploadFile(
            safe_filename(_decode(filename, "utf-8", "multipart filename")),
            content_type=content_type.decode("latin-1") if content_type else DEFAULT_FILE_CONTENT_TYPE,
            headers=Headers(raw=self._headers),
            spool_threshold=limits.spool_threshold,
        )
        self.uploads.append(upload)
        self._upload = upload

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._upload is not None:
            self.pending_writes.append((self._upload, data[start:end]))
            return
        self._field_value += data[start:end]
        if len(self._field_value) > self._limits.max_part_size:
            raise PayloadTooLarge(detail=f"Multipart field is larger than {self._limits.max_part_size} bytes")

    def _on_part_end(self) -> None:
        if self._upload is not None:
            self.items.append((self._name, self._upload))
        else:
            value = _decode(bytes(self._field_value), self._field_charset, "multipart field value")
            self.items.append((self._name, value))


def safe_filename(filename: str) -> str:
    """``filename`` without directory components, POSIX or Windows (``../../etc/passwd`` -> ``passwd``).

    The result is still client data: never use it as a path without choosing the directory yourself.
    A name that is only ``.`` or ``..`` becomes the empty string.
    """
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "" if base in (".", "..") else base


async def _parse_multipart(chunks: AsyncIterator[bytes], boundary: bytes, limits: Limits) -> FormData:
    collector = _MultipartCollector(limits)
    try:
        try:
            parser = MultipartParser(boundary, collector.callbacks())
        except ValueError as exc:  # python-multipart's own boundary cap, should an app raise ours past it
            raise BadRequest(detail="Multipart boundary is not acceptable") from exc
        received = 0
        async for chunk in chunks:
            received += len(chunk)
            if received > limits.max_multipart_size:
                raise PayloadTooLarge(detail=f"Multipart body is larger than {limits.max_multipart_size} bytes")
            if chunk:
                _feed(parser, chunk, "Malformed multipart body")
                await collector.flush()
        _finish(parser, "Malformed multipart body")
        if parser.state != MultipartState.END:
            raise BadRequest(detail="Multipart body ended before its closing boundary")
        for upload in collector.uploads:
            await upload.seek(0)
    except BaseException:
        await collector.discard()
        raise
    return FormData(collector.items)


def _feed(parser: MultipartParser, chunk: bytes, detail: str) -> None:
    try:
        parser.write(chunk)
    except ValueError as exc:  # python-multipart's parse errors all derive from ValueError
        raise BadRequest(detail=detail) from exc


def _finish(parser: MultipartParser, detail: str) -> None:
    try:
        parser.finalize()
    except ValueError as exc:
        raise BadRequest(detail=detail) from exc


__all__ = ["MAX_PART_HEADERS_SIZE", "parse_form", "safe_filename"]
