"""Hostile input, round 2, items 1-3: one small request must not block the event loop.

Each test feeds the input the security review used, at or near the limit that applies, and
bounds the time in seconds: far above what linear work takes (milliseconds), far below what the
quadratic code took (10-15 s for the review's inputs, hours at the limits). The live test in
``tests/live/test_event_loop_stalls.py`` shows the same inputs leave other clients unaffected.
"""

from __future__ import annotations

import http.cookies
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from nexios import get_application
from nexios.http import Request, Response
from nexios.limits import MIB, Limits
from nexios.middleware.csrf import CSRFMiddleware
from nexios.testclient import TestClient
from nexios.websockets import WebSocket, WebSocketDisconnect
from nexios_core import jsoncodec
from nexios_core.exceptions import BadRequest
from nexios_core.request import parse_cookie_header

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
JSON_TYPE = {"content-type": "application/json"}
BOUND = 3.0
"""Seconds: linear work on these inputs takes milliseconds; the quadratic code took 10 s and up."""

# The review's JSON: deeper than the depth limit (so the bracket pre-check runs), then one quote
# followed by escaped quotes that never close the string.
REVIEW_JSON = b"[" * 1025 + b'"' + b'\\"' * 24_000


def json_at_the_body_limit() -> bytes:
    body = b"[" * 1025 + b'"'
    return body + b'\\"' * ((MIB - len(body)) // 2)


class Item(BaseModel):
    name: str


def json_app() -> Any:
    app = get_application()

    @app.post("/raw")
    async def raw(request: Request, response: Response) -> Any:
        return await request.json

    @app.post("/typed")
    async def typed(request: Request, response: Response, item: Item) -> Any:
        return item

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_json()

    return app


def elapsed(start: float) -> float:
    return time.perf_counter() - start


# ---------------------------------------------------------------------------- 1. JSON depth check
@pytest.mark.parametrize("body", [REVIEW_JSON, json_at_the_body_limit()], ids=["review-49KB", "1MiB"])
def test_unterminated_string_after_deep_brackets_is_refused_in_linear_time(body: bytes) -> None:
    # Regression: the depth pre-check's string regex rescanned to the end of the body from every
    # quote (14.9 s for the 49 KB review body on uvicorn; hours at 1 MiB).
    start = time.perf_counter()
    with pytest.raises(BadRequest):
        jsoncodec.loads(body)
    assert elapsed(start) < BOUND


@pytest.mark.parametrize("path", ["/raw", "/typed"])
async def test_request_json_and_typed_bodies_refuse_the_review_body_quickly(client_for: Client, path: str) -> None:
    async with client_for(json_app()) as client:
        start = time.perf_counter()
        answer = await client.post(path, content=json_at_the_body_limit(), headers=JSON_TYPE)
    assert answer.status_code == 400
    assert elapsed(start) < BOUND


def test_websocket_receive_json_refuses_the_review_body_quickly() -> None:
    with TestClient(json_app()) as client, client.websocket_connect("/ws") as session:
        start = time.perf_counter()
        session.send_text(REVIEW_JSON.decode())
        with pytest.raises(WebSocketDisconnect) as ended:
            session.receive_text()
    assert ended.value.code == 1007  # invalid payload
    assert elapsed(start) < BOUND


def test_depth_check_still_ignores_brackets_inside_strings() -> None:
    deep_in_strings = b'["' + b"[" * 5000 + b'", "\\"' + b"{" * 5000 + b'"]'
    assert jsoncodec.loads(deep_in_strings, max_depth=2) == ["[" * 5000, '"' + "{" * 5000]
    with pytest.raises(BadRequest, match="deeper than 3"):
        jsoncodec.loads(b'[[[["]]]]"]]]]', max_depth=3)


# ---------------------------------------------------------------------------- 2. cookie unquoting
def test_cookie_value_full_of_backslashes_is_unquoted_in_linear_time() -> None:
    # Regression (CVE-2024-7592 class): http.cookies._unquote is quadratic on such values
    # (10.9 s for 48,000 backslashes on CPython 3.11).
    start = time.perf_counter()
    cookies = parse_cookie_header('a="' + "\\" * 200_000 + '"; b=1')
    assert elapsed(start) < BOUND
    assert cookies == {"a": "\\" * 100_000, "b": "1"}


@pytest.mark.parametrize(
    "value",
    ['"plain"', '"a\\"b"', '"\\073semi"', '"oct\\101\\102"', '"\\\\"', '"unterminated', 'no"quotes"', '""',
     '"\\400"', '"trail\\"', '"line\\\nbreak"'],
)
def test_cookie_unquoting_reads_values_as_the_standard_library_does(value: str) -> None:
    assert parse_cookie_header(f"k={value}")["k"] == http.cookies._unquote(value)  # type: ignore[attr-defined]


async def test_cookie_header_over_the_limit_is_431_and_under_it_is_read(client_for: Client) -> None:
    app = get_application()

    @app.get("/c")
    async def read(request: Request, response: Response) -> Any:
        return {"size": len(request.cookies.get("a", ""))}

    async with client_for(app) as client:
        start = time.perf_counter()
        near = await client.get("/c", headers={"cookie": 'a="' + "\\" * 30_000 + '"'})
        over = await client.get("/c", headers={"cookie": 'a="' + "\\" * 48_000 + '"'})
    assert elapsed(start) < BOUND
    assert (near.status_code, near.json()) == (200, {"size": 15_000})
    assert over.status_code == 431
    assert over.json() == {"detail": "Cookie header is larger than 32768 bytes"}


# ---------------------------------------------------------------------------- 3. client-chosen codecs
def csrf_app() -> Any:
    app = get_application(config={"secret_key": "round-two-secret-key-for-tests"})
    app.add_middleware(CSRFMiddleware())

    @app.post("/text")
    async def text(request: Request, response: Response) -> Any:
        return {"text": await request.text}

    return app


async def test_punycode_form_to_a_missing_route_behind_csrf_is_415_at_once(client_for: Client) -> None:
    # Regression: CSRF parsed the form before any check, decoding 640 KB with the client's
    # `punycode` codec (quadratic): 8.8 s on uvicorn, for a path with no route at all.
    body = b"csrf_token=" + b"a" * (640 * 1024)
    async with client_for(csrf_app()) as client:
        start = time.perf_counter()
        answer = await client.post(
            "/no-such-route", content=body,
            headers={"content-type": "application/x-www-form-urlencoded; charset=punycode"},
        )
    assert elapsed(start) < BOUND
    assert answer.status_code == 415


@pytest.mark.parametrize("charset", ["idna", "undefined", "punycode", "utf-16", "rot13", "zlib", "x" * 500])
async def test_request_text_refuses_a_charset_outside_the_allowlist_with_415(client_for: Client, charset: str) -> None:
    # Regression: `idna` and `undefined` raised a bare UnicodeError, a 500.
    app = get_application()

    @app.post("/text")
    async def text(request: Request, response: Response) -> Any:
        return {"text": await request.text}

    async with client_for(app) as client:
        answer = await client.post("/text", content=b"abc", headers={"content-type": f"text/plain; charset={charset}"})
    assert answer.status_code == 415
    assert "UTF-8" in answer.json()["detail"]


@pytest.mark.parametrize(("charset", "body", "text"), [
    ("utf-8", "é".encode(), "é"), ("UTF8", "é".encode(), "é"), ("latin-1", b"\xe9", "é"),
    ("ISO-8859-1", b"\xe9", "é"), ("us-ascii", b"e", "e"), ('"utf-8"', b"e", "e"),
])
async def test_request_text_decodes_the_allowed_charsets_under_their_aliases(
    client_for: Client, charset: str, body: bytes, text: str
) -> None:
    app = get_application()

    @app.post("/text")
    async def read(request: Request, response: Response) -> Any:
        return {"text": await request.text}

    async with client_for(app) as client:
        answer = await client.post("/text", content=body, headers={"content-type": f"text/plain; charset={charset}"})
    assert answer.json() == {"text": text}


async def test_bytes_invalid_in_an_allowed_charset_are_400(client_for: Client) -> None:
    app = get_application()

    @app.post("/text")
    async def read(request: Request, response: Response) -> Any:
        return {"text": await request.text}

    async with client_for(app) as client:
        answer = await client.post("/text", content=b"\xff", headers={"content-type": "text/plain; charset=ascii"})
    assert answer.status_code == 400


def test_made_up_charset_names_do_not_grow_the_codec_cache() -> None:
    # The standard library caches every name codecs.lookup is asked for, unknown ones included:
    # client-chosen names must never reach it.
    import encodings

    from nexios_core.charsets import resolve_charset
    from nexios_core.exceptions import UnsupportedMediaType

    cache: dict[str, Any] = encodings._cache  # type: ignore[attr-defined]
    before = len(cache)
    for index in range(2000):
        with pytest.raises(UnsupportedMediaType):
            resolve_charset(f"made-up-{index}")
    assert len(cache) == before


def test_route_limits_can_lower_a_json_body_to_what_the_review_needed() -> None:
    # The body limit still applies first: the same input over a route's smaller limit is a 413.
    app = get_application()

    @app.post("/small", limits=Limits(max_body_size=1024))
    async def small(request: Request, response: Response) -> Any:
        return await request.json

    with TestClient(app) as client:
        answer = client.post("/small", content=REVIEW_JSON, headers=JSON_TYPE)
    assert answer.status_code == 413
