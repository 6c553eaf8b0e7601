"""The application as a whole: request isolation, HEAD/405, state, disconnects, and hostile
input that must answer 4xx, never 500 (SECURITY.md)."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx
import pytest

from nexios import get_application
from nexios_core.app import App
from nexios_core.datastructures import UploadFile
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.types import Message

pytestmark = pytest.mark.anyio

JSON_TYPE = {"content-type": "application/json"}


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")


def echo_app() -> Any:
    app = get_application()

    @app.post("/users/{user_id:int}")
    async def echo(request: Request, response: Response, user_id: int) -> Any:
        body = await request.json
        await anyio.sleep(0)  # give other requests a chance to interleave
        response.set_header("x-user", str(user_id))
        return {"user_id": user_id, "q": request.query_params["q"], "body": body}

    return app


async def test_concurrent_requests_each_get_their_own_answer() -> None:
    app = echo_app()
    results: dict[int, httpx.Response] = {}

    async with client(app) as c:

        async def one(i: int) -> None:
            results[i] = await c.post(f"/users/{i}?q=q{i}", json={"n": i, "pad": "x" * (i % 7)})

        async with anyio.create_task_group() as group:
            for i in range(200):
                group.start_soon(one, i)
    for i, r in results.items():
        assert r.status_code == 200
        assert r.json() == {"user_id": i, "q": f"q{i}", "body": {"n": i, "pad": "x" * (i % 7)}}
        assert r.headers["x-user"] == str(i)


async def test_head_on_get_route_and_405_with_allow() -> None:
    app = get_application()

    @app.get("/thing")
    async def thing(request: Request, response: Response) -> Any:
        return {"name": "thing"}

    @app.post("/thing")
    async def make(request: Request, response: Response) -> Any:
        return {"made": True}

    async with client(app) as c:
        get = await c.get("/thing")
        head = await c.head("/thing")
        put = await c.put("/thing")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert put.status_code == 405
    allowed = {m.strip() for m in put.headers["allow"].split(",")}
    assert {"GET", "POST", "HEAD"} <= allowed


async def test_core_app_without_a_handler_is_404() -> None:
    async with client(App()) as c:
        r = await c.get("/")
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


async def test_app_state_is_shared_and_request_app_is_the_app() -> None:
    app = get_application()
    app.state.counter = 0

    @app.get("/count")
    async def count(request: Request, response: Response) -> Any:
        request.app.state.counter += 1
        return {"counter": request.app.state.counter, "same": request.app is app}

    async with client(app) as c:
        await c.get("/count")
        r = await c.get("/count")
    assert r.json() == {"counter": 2, "same": True}


async def test_client_disconnect_while_reading_body_sends_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: Request, response: Response) -> Any:
        await request.body
        return {"unreachable": True}

    app = App(dispatcher=HandlerDispatcher(http=handler))
    messages: list[Message] = [
        {"type": "http.request", "body": b"part", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    caplog.set_level(logging.ERROR)
    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": []}
    await app(scope, receive, send)
    assert sent == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_uploaded_files_are_closed_after_the_response() -> None:
    kept: list[UploadFile] = []
    app = get_application()

    @app.post("/up")
    async def up(request: Request, response: Response) -> Any:
        form = await request.form
        upload = form["f"]
        assert isinstance(upload, UploadFile)
        kept.append(upload)
        return {"open": not upload.file.closed}

    async with client(app) as c:
        r = await c.post("/up", files={"f": ("a.txt", b"abc")})
    assert r.json() == {"open": True}
    assert kept[0].file.closed


async def test_body_is_replayed_to_downstream_receive() -> None:
    app = get_application()

    @app.middleware
    async def peek(request: Request, response: Response, call_next: Any) -> Any:
        request.state.peeked = len(await request.body)
        return await call_next()

    @app.post("/r")
    async def handler(request: Request, response: Response) -> Any:
        message = await request.receive()
        return {"peeked": request.state.peeked, "replayed": message["body"].decode(),
                "json": await request.json}

    async with client(app) as c:
        r = await c.post("/r", json=[1, 2])
    assert r.json() == {"peeked": 5, "replayed": "[1,2]", "json": [1, 2]}


# --- hostile input: always a 4xx ---------------------------------------------------------------

HOSTILE_BODIES: list[tuple[str, str, bytes]] = [
    ("json-syntax", "application/json", b'{"a": '),
    ("json-nan", "application/json", b"[NaN]"),
    ("json-infinity", "application/json", b'{"x": -Infinity}'),
    ("json-overflow", "application/json", b"1e999"),
    ("json-surrogate", "application/json", b'"\\udc00"'),
    ("json-bad-utf8", "application/json", b'"\xc3\x28"'),
    ("json-deep", "application/json", b"[" * 5000 + b"]" * 5000),
    ("json-very-deep", "application/json", b"{\"a\":" * 200_000),
    ("json-digits", "application/json", b"1" * 5000),
    ("json-empty", "application/json", b""),
    ("multipart-no-boundary", "multipart/form-data", b"--x\r\n"),
    ("multipart-long-boundary", "multipart/form-data; boundary=" + "b" * 71, b"--" + b"b" * 71),
    ("multipart-bad-boundary-chars", "multipart/form-data; boundary=a\x01b", b"--a\x01b"),
    ("multipart-garbage", "multipart/form-data; boundary=xyz", b"this is not multipart at all"),
    ("multipart-truncated", "multipart/form-data; boundary=xyz",
     b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'),
    ("multipart-no-disposition", "multipart/form-data; boundary=xyz",
     b"--xyz\r\nContent-Type: text/plain\r\n\r\nvalue\r\n--xyz--\r\n"),
    ("urlencoded-bad-utf8", "application/x-www-form-urlencoded", b"a=%ff%fe"),
    ("form-wrong-type", "text/plain", b"a=1"),
]


def hostile_app() -> Any:
    app = get_application()

    @app.post("/json")
    async def as_json(request: Request, response: Response) -> Any:
        return {"data": await request.json}

    @app.post("/form")
    async def as_form(request: Request, response: Response) -> Any:
        form = await request.form
        return {"keys": list(form)}

    @app.post("/text")
    async def as_text(request: Request, response: Response) -> Any:
        return await request.text

    return app


@pytest.mark.parametrize(("name", "content_type", "body"), HOSTILE_BODIES, ids=[b[0] for b in HOSTILE_BODIES])
async def test_hostile_bodies_get_4xx(
    name: str, content_type: str, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    app = hostile_app()
    path = "/json" if name.startswith("json") else "/form"
    caplog.set_level(logging.ERROR)
    async with client(app) as c:
        r = await c.post(path, content=body, headers={"content-type": content_type})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert "detail" in r.json()
    assert "Traceback" not in r.text
    assert [rec for rec in caplog.records if rec.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"content-type": "text/plain; charset=no-such-charset"}, ""),
        ({"content-type": "text/plain; charset=utf-8"}, ""),
        ({}, "a=%ff&b=%zz&c"),
        ({"cookie": "\x7f=\x01; ;;=;a"}, ""),
        ({"authorization": "Basic ===="}, ""),
        ({"x-request-id": "x" * 1000}, ""),
    ],
)
async def test_hostile_headers_and_queries_never_500(headers: dict[str, str], query: str) -> None:
    app = get_application()

    @app.post("/t")
    async def handler(request: Request, response: Response) -> Any:
        return {
            "text": await request.text,
            "query": request.get_query_params(),
            "cookies": request.cookies,
            "auth": request.basic_auth,
        }

    async with client(app) as c:
        r = await c.post(f"/t?{query}", content=b"\xff\xfe", headers=headers)
    assert 200 <= r.status_code < 500
    assert r.status_code != 500


async def test_bad_request_errors_are_not_logged_as_server_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = hostile_app()
    caplog.set_level(logging.WARNING)
    async with client(app) as c:
        for _ in range(5):
            await c.post("/json", content=b"{", headers={"content-type": "application/json"})
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_design_example_echoes_the_deepest_allowed_json() -> None:
    # Regression: `return {"data": await request.json}` (DESIGN.md) gave a 500 for JSON the
    # decoder had accepted, because encoding it hit the interpreter's recursion limit.
    app = get_application()

    @app.post("/api/data")
    async def create(request: Request, response: Response) -> Any:
        data = await request.json
        return {"status": "success", "data": data}

    deepest = b"[" * 1024 + b"]" * 1024
    async with client(app) as c:
        ok = await c.post("/api/data", content=deepest, headers={"content-type": "application/json"})
        too_deep = await c.post("/api/data", headers=JSON_TYPE, content=b"[" + deepest + b"]")
    assert ok.status_code == 200
    assert ok.content == b'{"status":"success","data":' + deepest + b"}"
    assert too_deep.status_code == 400


def test_http_exception_before_accept_refuses_the_websocket_with_1008_not_a_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from nexios.exceptions import Forbidden
    from nexios_core.testclient import TestClient, WebSocketDenied

    app = get_application()

    @app.websocket("/private")
    async def private(ws: Any) -> None:
        raise Forbidden(detail="members only")

    with caplog.at_level("ERROR"), TestClient(app) as client:
        with pytest.raises(WebSocketDenied) as denied:
            client.websocket_connect("/private")
    assert denied.value.code == 1008
    assert denied.value.reason == "members only"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
