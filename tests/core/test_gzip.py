"""GZipMiddleware: negotiation, size threshold, no double encoding, incremental streaming."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.middleware.gzip import GZipMiddleware, accepts_gzip
from nexios_core.types import ASGIApp, Message, Receive, Scope, Send

pytestmark = pytest.mark.anyio

BIG = b"nexios " * 200  # 1400 bytes, compresses well
SMALL = b"tiny body"


def body_app(
    body: bytes,
    *,
    status: int = 200,
    headers: Sequence[tuple[bytes, bytes]] = ((b"content-type", b"text/plain"),),
    content_length: bool = True,
) -> ASGIApp:
    """A tiny ASGI app answering ``body`` in one message."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raw = list(headers)
        if content_length:
            raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def raw_get(app: ASGIApp, accept_encoding: bytes | None = b"gzip") -> list[Message]:
    """Drive ``app`` directly and return every message it sends (no client-side decoding)."""
    headers = [(b"accept-encoding", accept_encoding)] if accept_encoding is not None else []
    scope: Scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def headers_of(start: Message) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in start["headers"]}


def body_of(messages: list[Message]) -> bytes:
    return b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


# --- negotiation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"gzip", True),
        (b"deflate, gzip;q=0.5, br", True),
        (b"GZIP", True),
        (b"x-gzip", True),
        (b"*", True),
        (b"br", False),
        (b"gzip;q=0", False),
        (b"gzip; q=0.000", False),
        (b"*;q=0", False),
        (b"gzip;q=0, *", False),  # an explicit refusal beats the wildcard
        (b"*, gzip;q=0", False),
        (b"gzip;q=nan", False),
        (b"gzip;q=2", False),
        (b"identity", False),
    ],
)
def test_accept_encoding_negotiation(value: bytes, expected: bool) -> None:
    assert accepts_gzip(value) is expected


def test_bad_settings_are_refused_at_startup() -> None:
    with pytest.raises(ImproperlyConfigured, match="compresslevel"):
        GZipMiddleware(body_app(BIG), compresslevel=0)
    with pytest.raises(ImproperlyConfigured, match="minimum_size"):
        GZipMiddleware(body_app(BIG), minimum_size=-1)


# --- whole bodies ----------------------------------------------------------------------------


async def test_large_body_is_compressed_with_correct_length_and_vary() -> None:
    messages = await raw_get(GZipMiddleware(body_app(BIG)))
    start, body = messages[0], body_of(messages)
    headers = headers_of(start)
    assert headers[b"content-encoding"] == b"gzip"
    assert headers[b"vary"] == b"Accept-Encoding"
    assert int(headers[b"content-length"]) == len(body) < len(BIG)
    assert gzip.decompress(body) == BIG
    assert [name for name, _ in start["headers"]].count(b"content-length") == 1


async def test_httpx_client_reads_the_compressed_body_transparently() -> None:
    async with client(GZipMiddleware(body_app(BIG))) as c:
        response = await c.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == BIG


async def test_small_body_is_not_compressed() -> None:
    messages = await raw_get(GZipMiddleware(body_app(SMALL)))
    headers = headers_of(messages[0])
    assert b"content-encoding" not in headers
    assert headers[b"content-length"] == str(len(SMALL)).encode()
    assert body_of(messages) == SMALL


async def test_small_body_without_content_length_is_not_compressed() -> None:
    messages = await raw_get(GZipMiddleware(body_app(SMALL, content_length=False)))
    assert b"content-encoding" not in headers_of(messages[0])
    assert body_of(messages) == SMALL


async def test_client_without_gzip_gets_identity() -> None:
    for accept in (None, b"br", b"gzip;q=0"):
        messages = await raw_get(GZipMiddleware(body_app(BIG)), accept)
        assert b"content-encoding" not in headers_of(messages[0])
        assert body_of(messages) == BIG


async def test_already_encoded_response_is_not_encoded_twice() -> None:
    encoded = gzip.compress(BIG)
    app = body_app(encoded, headers=[(b"content-encoding", b"gzip")])
    messages = await raw_get(GZipMiddleware(app))
    headers = headers_of(messages[0])
    assert headers[b"content-encoding"] == b"gzip"
    assert body_of(messages) == encoded


@pytest.mark.parametrize(
    "content_type",
    [b"image/png", b"video/mp4", b"text/event-stream; charset=utf-8", b"application/zip"],
)
async def test_excluded_media_types_are_not_compressed(content_type: bytes) -> None:
    app = body_app(BIG, headers=[(b"content-type", content_type)])
    messages = await raw_get(GZipMiddleware(app))
    assert b"content-encoding" not in headers_of(messages[0])
    assert body_of(messages) == BIG


async def test_svg_is_compressed_despite_being_an_image() -> None:
    app = body_app(BIG, headers=[(b"content-type", b"image/svg+xml")])
    messages = await raw_get(GZipMiddleware(app))
    assert headers_of(messages[0])[b"content-encoding"] == b"gzip"


async def test_custom_exclusions_replace_the_defaults() -> None:
    app = body_app(BIG, headers=[(b"content-type", b"application/json")])
    messages = await raw_get(GZipMiddleware(app, exclude_media_types=["application/*"]))
    assert b"content-encoding" not in headers_of(messages[0])


@pytest.mark.parametrize("status", [204, 304])
async def test_bodiless_statuses_are_untouched(status: int) -> None:
    messages = await raw_get(GZipMiddleware(body_app(b"", status=status, content_length=False)))
    assert messages[0]["headers"] == [(b"content-type", b"text/plain")]


async def test_partial_content_is_not_compressed() -> None:
    app = body_app(BIG, status=206, headers=[(b"content-range", b"bytes 0-1399/5000")])
    messages = await raw_get(GZipMiddleware(app))
    assert b"content-encoding" not in headers_of(messages[0])
    assert body_of(messages) == BIG


async def test_content_range_without_206_is_not_compressed() -> None:
    app = body_app(BIG, headers=[(b"content-range", b"bytes */5000")])
    messages = await raw_get(GZipMiddleware(app))
    assert b"content-encoding" not in headers_of(messages[0])


async def test_head_request_is_untouched() -> None:
    async with client(GZipMiddleware(body_app(BIG))) as c:
        response = await c.head("/", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(BIG))


async def test_strong_etag_becomes_weak_and_vary_is_merged() -> None:
    app = body_app(BIG, headers=[(b"etag", b'"abc"'), (b"vary", b"Cookie")])
    messages = await raw_get(GZipMiddleware(app))
    headers = headers_of(messages[0])
    assert headers[b"etag"] == b'W/"abc"'
    assert headers[b"vary"] == b"Cookie, Accept-Encoding"


# --- streaming -------------------------------------------------------------------------------


async def test_stream_is_compressed_chunk_by_chunk_without_buffering() -> None:
    chunks = [(b"chunk %d " % i) * 50 for i in range(5)]
    sent: list[Message] = []
    observed_while_streaming: list[int] = []

    async def streaming_app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"99999")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            # Before the next chunk is produced, the previous one must already be on the wire.
            observed_while_streaming.append(
                sum(1 for m in sent if m["type"] == "http.response.body")
            )
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"accept-encoding", b"gzip, deflate")],
    }
    await GZipMiddleware(streaming_app, minimum_size=10_000)(scope, receive, send)

    assert observed_while_streaming == [1, 2, 3, 4, 5]
    headers = headers_of(sent[0])
    assert headers[b"content-encoding"] == b"gzip"
    assert b"content-length" not in headers
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert all(m["more_body"] for m in bodies[:-1]) and not bodies[-1]["more_body"]

    # Each flushed piece decompresses on its own to exactly the chunk it carried.
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    for message, chunk in zip(bodies[:-1], chunks, strict=True):
        assert decompressor.decompress(message["body"]) == chunk
    assert gzip.decompress(b"".join(m["body"] for m in bodies)) == b"".join(chunks)


async def test_stream_through_httpx_round_trips() -> None:
    async def streaming_app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(3):
            await send({"type": "http.response.body", "body": BIG, "more_body": True})
        await send({"type": "http.response.body", "body": b"end"})

    async with client(GZipMiddleware(streaming_app)) as c:
        response = await c.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.content == BIG * 3 + b"end"


async def test_event_stream_is_never_held_back() -> None:
    async def sse_app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    messages = await raw_get(GZipMiddleware(sse_app))
    assert b"content-encoding" not in headers_of(messages[0])
    assert messages[1]["body"] == b"data: 1\n\n"


# --- composition -----------------------------------------------------------------------------


async def test_extension_messages_release_the_held_start_untouched() -> None:
    async def pathsend_app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.pathsend", "path": "/tmp/x"})

    messages = await raw_get(GZipMiddleware(pathsend_app))
    assert messages == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.pathsend", "path": "/tmp/x"},
    ]


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def lifespan_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing should be sent")

    await GZipMiddleware(lifespan_app)({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]
