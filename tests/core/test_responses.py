"""Response builder and response kinds: bodies, status chaining, headers, cookies, streaming,
server-sent events, background tasks and everything a handler may return."""

from __future__ import annotations

import dataclasses
from typing import Any

import anyio
import httpx
import pydantic
import pytest

from nexios import get_application
from nexios_core import (
    BaseResponse,
    EventSourceResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    ServerSentEvent,
    StreamingResponse,
)
from nexios_core.request import Request
from nexios_core.types import Message

pytestmark = pytest.mark.anyio


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def collect(response: BaseResponse, method: str = "GET") -> list[Message]:
    """Run a response as an ASGI app and return what it sent."""
    sent: list[Message] = []

    async def receive() -> Message:
        await anyio.sleep(10)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await response({"type": "http", "method": method, "headers": []}, receive, send)
    return sent


# --- bodies and status ------------------------------------------------------------------------


async def test_json_text_html_and_status_chaining() -> None:
    app = get_application()

    @app.get("/json")
    async def as_json(request: Request, response: Response) -> Any:
        return response.json({"é": 1}, headers={"x-a": "1"})

    @app.get("/text")
    async def as_text(request: Request, response: Response) -> Any:
        return response.text("plain", status_code=202)

    @app.get("/html")
    async def as_html(request: Request, response: Response) -> Any:
        return response.html("<b>hi</b>")

    @app.get("/created")
    async def created(request: Request, response: Response) -> Any:
        return response.status(201).json({"id": 7})

    @app.get("/status-after")
    async def status_after(request: Request, response: Response) -> Any:
        return response.json({"ok": True}).status(418)

    async with client(app) as c:
        j = await c.get("/json")
        t = await c.get("/text")
        h = await c.get("/html")
        cr = await c.get("/created")
        sa = await c.get("/status-after")
    assert j.status_code == 200
    assert j.headers["content-type"] == "application/json"
    assert j.headers["x-a"] == "1"
    assert j.json() == {"é": 1}
    assert j.headers["content-length"] == str(len(j.content))
    assert (t.status_code, t.text, t.headers["content-type"]) == (202, "plain", "text/plain; charset=utf-8")
    assert (h.text, h.headers["content-type"]) == ("<b>hi</b>", "text/html; charset=utf-8")
    assert (cr.status_code, cr.json()) == (201, {"id": 7})
    assert (sa.status_code, sa.json()) == (418, {"ok": True})


async def test_empty_and_redirect() -> None:
    app = get_application()

    @app.delete("/thing")
    async def remove(request: Request, response: Response) -> Any:
        return response.empty()

    @app.get("/old")
    async def old(request: Request, response: Response) -> Any:
        return response.redirect("/new")

    @app.get("/moved")
    async def moved(request: Request, response: Response) -> Any:
        return response.redirect("/elsewhere", status_code=301)

    async with client(app) as c:
        e = await c.delete("/thing")
        r = await c.get("/old")
        m = await c.get("/moved")
    assert e.status_code == 204
    assert e.content == b""
    assert "content-length" not in e.headers  # a 204 carries no body framing
    assert (r.status_code, r.headers["location"]) == (302, "/new")
    assert (m.status_code, m.headers["location"]) == (301, "/elsewhere")


async def test_headers_and_cache() -> None:
    app = get_application()

    @app.get("/h")
    async def handler(request: Request, response: Response) -> Any:
        response.set_header("X-One", "1").set_header("x-one", "2")
        response.set_header("X-Multi", "a").set_header("X-Multi", "b", overwrite=False)
        response.set_header("X-Gone", "x").remove_header("x-gone")
        assert response.has_header("X-ONE")
        assert not response.has_header("x-gone")
        return response.cache(max_age=60, private=False).json({"ok": True})

    @app.get("/private")
    async def private(request: Request, response: Response) -> Any:
        return response.cache(30, private=True).text("p")

    @app.get("/nostore")
    async def nostore(request: Request, response: Response) -> Any:
        return response.cache(no_store=True).text("n")

    @app.get("/default")
    async def default(request: Request, response: Response) -> Any:
        return response.cache().text("d")

    async with client(app) as c:
        r = await c.get("/h")
        p = await c.get("/private")
        n = await c.get("/nostore")
        d = await c.get("/default")
    assert r.headers["x-one"] == "2"
    assert r.headers.get_list("x-multi") == ["a", "b"]
    assert "x-gone" not in r.headers
    assert r.headers["cache-control"] == "public, max-age=60"
    assert p.headers["cache-control"] == "private, max-age=30"
    assert n.headers["cache-control"] == "no-store"
    assert d.headers["cache-control"] == "private, max-age=3600"  # upstream Nexios's defaults


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: evil=1", "a\nx", "a\rb"])
async def test_crlf_in_a_header_value_is_refused(value: str) -> None:
    response = Response()
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        response.set_header("x-test", value)
    with pytest.raises(ValueError):
        response.headers.append("x-test", value)
    with pytest.raises(ValueError):
        response.set_header(f"x-{value}", "1")  # nor in a name
    assert response.raw_headers == []

    app = get_application()

    @app.get("/inject")
    async def handler(request: Request, response: Response) -> Any:
        return response.set_header("x-echo", request.query_params["v"])

    async with client(app) as c:
        r = await c.get("/inject", params={"v": value})
    # The app failed, but no header got injected and nothing leaked.
    assert r.status_code == 500
    assert "evil" not in r.headers.get("set-cookie", "")
    assert r.json()["detail"] == "Internal Server Error"


# --- cookies ----------------------------------------------------------------------------------


async def test_set_and_delete_cookies() -> None:
    app = get_application()

    @app.get("/login")
    async def login(request: Request, response: Response) -> Any:
        response.set_cookie("sid", "abc", httponly=True, max_age=3600)
        response.set_cookie("pref", "dark", samesite="strict", path="/app")
        response.set_cookie("cross", "1", samesite="none")
        response.set_cookie("sec", "1", secure=True, samesite=None, domain="example.com")
        return {"ok": True}

    @app.get("/logout")
    async def logout(request: Request, response: Response) -> Any:
        return response.delete_cookie("sid").text("bye")

    async with client(app) as c:
        r = await c.get("/login")
        out = await c.get("/logout")
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 4
    sid, pref, cross, sec = cookies
    assert sid.startswith("sid=abc;")
    assert "HttpOnly" in sid and "Max-Age=3600" in sid and "SameSite=Lax" in sid and "Path=/" in sid
    assert "Secure" not in sid
    assert "SameSite=Strict" in pref and "Path=/app" in pref and "HttpOnly" not in pref
    assert "SameSite=None" in cross and "Secure" in cross  # browsers drop None without Secure
    assert "Secure" in sec and "Domain=example.com" in sec and "SameSite" not in sec
    deleted = out.headers["set-cookie"]
    assert deleted.startswith("sid=")
    assert "Max-Age=0" in deleted and "1970" in deleted and "Path=/" in deleted
    assert out.text == "bye"


def test_cookie_arguments_are_validated() -> None:
    with pytest.raises(ValueError):
        Response().set_cookie("bad name;", "v")
    with pytest.raises(ValueError):
        Response().set_cookie("ok", "v", samesite="sideways")  # type: ignore[arg-type]


# --- what a handler may return ----------------------------------------------------------------


class Item(pydantic.BaseModel):
    name: str
    price: float


@dataclasses.dataclass
class Point:
    x: int
    y: int


async def test_handler_return_values() -> None:
    app = get_application()
    returns: dict[str, Any] = {
        "dict": {"a": 1},
        "list": [1, "two", None],
        "str": "hello",
        "bytes": b"\x00\x01",
        "none": None,
        "model": Item(name="pen", price=1.5),
        "dataclass": Point(1, 2),
    }

    @app.get("/r/{kind}")
    async def handler(request: Request, response: Response, kind: str) -> Any:
        return returns[kind]

    @app.get("/none-with-status")
    async def none_with_status(request: Request, response: Response) -> Any:
        response.status(202)
        return None

    async with client(app) as c:
        got = {kind: await c.get(f"/r/{kind}") for kind in returns}
        none_status = await c.get("/none-with-status")
    assert (got["dict"].json(), got["dict"].headers["content-type"]) == ({"a": 1}, "application/json")
    assert got["list"].json() == [1, "two", None]
    assert (got["str"].text, got["str"].headers["content-type"]) == ("hello", "text/plain; charset=utf-8")
    assert got["bytes"].content == b"\x00\x01"
    assert got["bytes"].headers["content-type"] == "application/octet-stream"
    assert (got["none"].status_code, got["none"].content) == (200, b"")
    assert got["model"].json() == {"name": "pen", "price": 1.5}
    assert got["dataclass"].json() == {"x": 1, "y": 2}
    assert (none_status.status_code, none_status.content) == (202, b"")


async def test_returned_response_objects_keep_builder_cookies_and_headers() -> None:
    app = get_application()

    @app.get("/jr")
    async def handler(request: Request, response: Response) -> Any:
        response.set_cookie("a", "1")
        response.set_header("x-from-builder", "yes")
        response.set_header("content-type", "text/wrong")  # the returned response's own wins
        return JSONResponse({"made": True}, status_code=201, headers={"x-own": "1"})

    @app.get("/kinds/{kind}")
    async def kinds(request: Request, response: Response, kind: str) -> Any:
        return {
            "text": PlainTextResponse("t"),
            "html": HTMLResponse("<p>"),
            "redirect": RedirectResponse("/to"),
            "base": BaseResponse(b"raw", media_type="application/x-thing"),
        }[kind]

    async with client(app) as c:
        r = await c.get("/jr")
        t = await c.get("/kinds/text")
        h = await c.get("/kinds/html")
        rd = await c.get("/kinds/redirect")
        b = await c.get("/kinds/base")
    assert r.status_code == 201
    assert r.json() == {"made": True}
    assert r.headers["x-own"] == "1"
    assert r.headers["x-from-builder"] == "yes"
    assert r.headers["content-type"] == "application/json"
    assert r.headers["set-cookie"].startswith("a=1")
    assert t.headers["content-type"] == "text/plain; charset=utf-8"
    assert h.headers["content-type"] == "text/html; charset=utf-8"
    assert (rd.status_code, rd.headers["location"]) == (302, "/to")  # 302 Found, as upstream
    assert (b.content, b.headers["content-type"]) == (b"raw", "application/x-thing")


async def test_make_response_keeps_status_headers_and_cookies() -> None:
    app = get_application()

    @app.get("/m")
    async def handler(request: Request, response: Response) -> Any:
        response.status(202).set_cookie("m", "1").set_header("x-b", "b")
        made = response.make_response(PlainTextResponse, "made")
        assert isinstance(made, PlainTextResponse)
        return response

    @app.get("/default-status")
    async def default_status(request: Request, response: Response) -> Any:
        response.make_response(JSONResponse, {"a": 1}, status_code=203)
        return response

    async with client(app) as c:
        r = await c.get("/m")
        d = await c.get("/default-status")
    assert (r.status_code, r.text) == (202, "made")
    assert r.headers["set-cookie"].startswith("m=1")
    assert r.headers["x-b"] == "b"
    assert (d.status_code, d.json()) == (203, {"a": 1})


async def test_a_later_body_setter_replaces_make_response() -> None:
    app = get_application()

    @app.get("/switch")
    async def handler(request: Request, response: Response) -> Any:
        response.make_response(PlainTextResponse, "first")
        return response.json({"second": True})

    async with client(app) as c:
        r = await c.get("/switch")
    assert r.json() == {"second": True}


# --- streaming and SSE ------------------------------------------------------------------------


async def test_stream_async_and_sync_iterables() -> None:
    app = get_application()

    @app.get("/async")
    async def async_stream(request: Request, response: Response) -> Any:
        async def gen() -> Any:
            for i in range(3):
                yield f"a{i};"
            yield b"bytes;"

        return response.stream(gen(), content_type="text/csv")

    @app.get("/sync")
    async def sync_stream(request: Request, response: Response) -> Any:
        def gen() -> Any:
            yield "s1;"
            yield b"s2;"

        response.set_header("x-kept", "1")
        return response.stream(gen(), status_code=206)

    async with client(app) as c:
        a = await c.get("/async")
        s = await c.get("/sync")
    assert a.text == "a0;a1;a2;bytes;"
    assert a.headers["content-type"] == "text/csv; charset=utf-8"
    assert "content-length" not in a.headers
    assert (s.status_code, s.text, s.headers["x-kept"]) == (206, "s1;s2;", "1")


async def test_streaming_response_sends_chunks_separately() -> None:
    async def gen() -> Any:
        yield b"one"
        yield ""  # empty chunks are skipped, not sent as end of body
        yield "two"

    sent = await collect(StreamingResponse(gen(), media_type="text/plain"))
    assert sent[0]["type"] == "http.response.start"
    bodies = [(m["body"], m.get("more_body", False)) for m in sent[1:]]
    assert bodies == [(b"one", True), (b"two", True), (b"", False)]


async def test_streaming_head_sends_no_body() -> None:
    produced: list[int] = []

    async def gen() -> Any:
        produced.append(1)
        yield b"data"

    sent = await collect(StreamingResponse(gen()), method="HEAD")
    assert [m.get("body") for m in sent[1:]] == [b""]


def test_sse_event_format() -> None:
    event = ServerSentEvent("line one\nline two", event="update", id="7", retry=1500, comment="hi")
    assert event.encode() == (
        b": hi\nevent: update\nid: 7\nretry: 1500\ndata: line one\ndata: line two\n\n"
    )
    assert ServerSentEvent({"a": 1}).encode() == b'data: {"a":1}\n\n'
    assert ServerSentEvent("").encode() == b"data: \n\n"
    with pytest.raises(ValueError):
        ServerSentEvent("x", event="a\nb").encode()
    with pytest.raises(ValueError):
        ServerSentEvent("x", id="1\r2").encode()


async def test_sse_response_over_http() -> None:
    app = get_application()

    @app.get("/events")
    async def events(request: Request, response: Response) -> Any:
        async def gen() -> Any:
            yield "plain"
            yield {"n": 1}
            yield ServerSentEvent("multi\nline", event="note", id="3")

        return response.sse(gen(), ping_interval=None)

    async with client(app) as c:
        r = await c.get("/events")
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert r.headers["cache-control"] == "no-cache"
    assert r.text == (
        "data: plain\n\n"
        'data: {"n":1}\n\n'
        "event: note\nid: 3\ndata: multi\ndata: line\n\n"
    )


async def test_sse_pings_while_the_producer_is_idle_and_keep_the_stream_alive() -> None:
    # Regression: a ping used to cancel the producer's pending __anext__, which closed the
    # user's generator, so every stream idle for longer than ping_interval ended early.
    async def slow() -> Any:
        yield "first"
        await anyio.sleep(0.25)
        yield "second"
        await anyio.sleep(0.12)
        yield "third"

    sent = await collect(EventSourceResponse(slow(), ping_interval=0.05))
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert body.startswith(b"data: first\n\n: ping\n\n")
    assert b"data: second\n\n" in body
    assert body.endswith(b"data: third\n\n")
    assert body.count(b": ping\n\n") >= 4
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


# --- background tasks -------------------------------------------------------------------------


async def test_background_tasks_run_after_the_body_is_sent() -> None:
    events: list[str] = []

    def sync_task(name: str) -> None:
        events.append(f"sync:{name}")

    async def async_task(name: str, *, suffix: str) -> None:
        events.append(f"async:{name}{suffix}")

    response = Response()
    response.text("body")
    response.add_background_task(sync_task, "one")
    response.add_background_task(async_task, "two", suffix="!")
    response.add_background_task(sync_task, "three")

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        events.append(message["type"])

    await response({"type": "http", "method": "GET", "headers": []}, receive, send)
    assert events == [
        "http.response.start",
        "http.response.body",
        "sync:one",
        "async:two!",
        "sync:three",
    ]


async def test_background_task_through_the_app_and_a_returned_response() -> None:
    done = anyio.Event()
    seen: list[str] = []

    async def record(value: str) -> None:
        seen.append(value)
        done.set()

    app = get_application()

    @app.get("/bg")
    async def handler(request: Request, response: Response) -> Any:
        response.add_background_task(record, "from-builder")
        return JSONResponse({"ok": True})

    async with client(app) as c:
        r = await c.get("/bg")
    assert r.json() == {"ok": True}
    with anyio.fail_after(2):
        await done.wait()
    assert seen == ["from-builder"]


async def test_streaming_background_runs_after_stream() -> None:
    order: list[str] = []

    async def gen() -> Any:
        order.append("chunk")
        yield b"x"

    def after() -> None:
        order.append("background")

    response = Response()
    response.stream(gen())
    response.add_background_task(after)
    sent = await collect(response)
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert order == ["chunk", "background"]


def test_base_response_render_refuses_unknown_content() -> None:
    with pytest.raises(TypeError):
        BaseResponse(object())
    assert BaseResponse(bytearray(b"ab")).body == b"ab"
    assert BaseResponse("é").body == "é".encode()
    assert repr(JSONResponse({})) == "<JSONResponse 200>"


async def test_head_on_a_plain_response_keeps_length_but_sends_no_body() -> None:
    sent = await collect(PlainTextResponse("hello"), method="HEAD")
    headers = dict(sent[0]["headers"])
    assert headers[b"content-length"] == b"5"
    assert sent[1]["body"] == b""


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/café", "/caf%C3%A9"),
        ("/日本?q=✓", "/%E6%97%A5%E6%9C%AC?q=%E2%9C%93"),
        ("/x\r\nSet-Cookie: stolen=1", "/x%0D%0ASet-Cookie:%20stolen=1"),
        ("/already%20encoded?a=1&b=%2F#frag", "/already%20encoded?a=1&b=%2F#frag"),
        ("https://example.com/path;p=1", "https://example.com/path;p=1"),
    ],
)
async def test_redirect_locations_are_encoded_never_a_500_or_a_new_header(target: str, location: str) -> None:
    # Non-ASCII text was a 500 (UnicodeEncodeError) or raw Latin-1 bytes; CR/LF was a 500.
    app = get_application()

    @app.get("/builder")
    async def builder(request: Request, response: Response) -> Any:
        return response.redirect(target)

    @app.get("/class")
    async def made(request: Request, response: Response) -> Any:
        return RedirectResponse(target)

    async with client(app) as c:
        answers = [await c.get("/builder"), await c.get("/class")]
    for answer in answers:
        assert answer.status_code == 302
        assert answer.headers["location"] == location
        assert "set-cookie" not in answer.headers
