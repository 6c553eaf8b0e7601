"""Request: headers, query, cookies, client, URLs, state, body readers, forms and helpers."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import httpx
import pytest

from nexios import get_application
from nexios_core.request import Request, parse_cookie_header
from nexios_core.types import Message

pytestmark = pytest.mark.anyio

JSON_TYPE = {"content-type": "application/json"}


def client(app: Any, **options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, **options), base_url="http://testserver"
    )


def make_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("10.0.0.1", 4321),
        "server": ("testserver", 80),
    }
    scope.update(overrides)
    return scope


# --- headers, query, cookies ------------------------------------------------------------------


async def test_headers_are_case_insensitive_and_multi_valued() -> None:
    app = get_application()

    @app.get("/h")
    async def handler(request: Request, response: Any) -> Any:
        return {
            "upper": request.headers["X-TAG"],
            "lower": request.headers.get("x-tag"),
            "all": request.headers.getlist("X-Tag"),
            "has": request.has_header("X-tag"),
            "missing": request.has_header("x-absent"),
        }

    async with client(app) as c:
        r = await c.get("/h", headers=[("X-Tag", "one"), ("x-tag", "two")])
    assert r.json() == {"upper": "one", "lower": "one", "all": ["one", "two"], "has": True,
                        "missing": False}


async def test_query_params_keep_every_value() -> None:
    app = get_application()

    @app.get("/q")
    async def handler(request: Request, response: Any) -> Any:
        q = request.query_params
        return {"a": q["a"], "all": q.getlist("a"), "b": q.get("b"), "blank": q.get("c"),
                "plain": request.get_query_params()}

    async with client(app) as c:
        r = await c.get("/q?a=1&a=2&b=x%20y&c=")
    assert r.json() == {"a": "2", "all": ["1", "2"], "b": "x y", "blank": "",
                        "plain": {"a": "2", "b": "x y", "c": ""}}


async def test_cookies_skip_malformed_pairs() -> None:
    app = get_application()

    @app.get("/c")
    async def handler(request: Request, response: Any) -> Any:
        return request.cookies

    async with client(app) as c:
        r = await c.get("/c", headers={"Cookie": 'a=1; garbage; =nameless; b="quoted"; c=3;;'})
    assert r.status_code == 200
    assert r.json() == {"a": "1", "b": "quoted", "c": "3"}


def test_parse_cookie_header_directly() -> None:
    assert parse_cookie_header("") == {}
    assert parse_cookie_header("novalue") == {}
    assert parse_cookie_header(" x = 1 ; y=2=3") == {"x": "1", "y": "2=3"}


# --- connection, url, state -------------------------------------------------------------------


async def test_client_address_and_urls() -> None:
    app = get_application()

    @app.get("/where/{name}")
    async def handler(request: Request, response: Any, name: str) -> Any:
        client_addr = request.client
        return {
            "client": [client_addr.host, client_addr.port] if client_addr else None,
            "url": str(request.url),
            "path": request.url.path,
            "query": request.url.query,
            "scheme": request.url.scheme,
            "base": str(request.base_url),
            "method": request.method,
            "params": request.path_params,
        }

    async with client(app, client=("203.0.113.9", 5555)) as c:
        r = await c.get("/where/alice?x=1")
    assert r.json() == {
        "client": ["203.0.113.9", 5555],
        "url": "http://testserver/where/alice?x=1",
        "path": "/where/alice",
        "query": "x=1",
        "scheme": "http",
        "base": "http://testserver/",
        "method": "GET",
        "params": {"name": "alice"},
    }


def test_base_url_includes_root_path() -> None:
    request = Request(make_scope(root_path="/api", path="/items"))
    assert str(request.base_url) == "http://testserver/api/"
    assert str(request.url) == "http://testserver/api/items"


async def test_state_is_per_request() -> None:
    app = get_application()

    @app.middleware
    async def tag(request: Request, response: Any, call_next: Any) -> Any:
        assert "tag" not in request.state  # nothing leaks in from an earlier request
        request.state.tag = request.headers["x-tag"]
        return await call_next()

    @app.get("/s")
    async def handler(request: Request, response: Any) -> Any:
        await anyio.sleep(0.01)  # let the other requests overwrite anything shared
        return {"tag": request.state.tag, "default": request.state.get("nope", "d")}

    async with client(app) as c:
        results: dict[str, Any] = {}

        async def one(i: int) -> None:
            results[str(i)] = (await c.get("/s", headers={"x-tag": str(i)})).json()

        async with anyio.create_task_group() as group:
            for i in range(30):
                group.start_soon(one, i)
    assert results == {str(i): {"tag": str(i), "default": "d"} for i in range(30)}


# --- body readers -----------------------------------------------------------------------------


async def test_json_is_awaitable_as_property_and_as_call() -> None:
    app = get_application()

    @app.post("/j")
    async def handler(request: Request, response: Any) -> Any:
        as_property = await request.json
        as_call = await request.json()
        return {"same": as_property == as_call, "data": as_property}

    async with client(app) as c:
        r = await c.post("/j", json={"a": [1, 2, {"b": None}]})
    assert r.json() == {"same": True, "data": {"a": [1, 2, {"b": None}]}}


async def test_body_text_and_stream() -> None:
    app = get_application()

    @app.post("/body")
    async def body(request: Request, response: Any) -> Any:
        raw = await request.body
        again = await request.body()
        text = await request.text
        return {"len": len(raw), "same": raw == again, "text": text}

    @app.post("/stream")
    async def stream(request: Request, response: Any) -> Any:
        chunks = [chunk async for chunk in request.stream()]
        return {"joined": b"".join(chunks).decode(), "count": len(chunks)}

    @app.post("/latin")
    async def latin(request: Request, response: Any) -> Any:
        return await request.text()

    async def pieces() -> Any:
        for part in (b"ab", b"cd", b"ef"):
            yield part

    async with client(app) as c:
        r1 = await c.post("/body", content="héllo".encode())
        r2 = await c.post("/stream", content=pieces())
        r3 = await c.post("/latin", content="é".encode("latin-1"),
                          headers={"content-type": "text/plain; charset=latin-1"})
        r4 = await c.post("/latin", content=b"\xff\xfe", headers={"content-type": "text/plain"})
    assert r1.json() == {"len": 6, "same": True, "text": "héllo"}
    assert r2.json()["joined"] == "abcdef"
    assert r2.json()["count"] >= 1
    assert r3.text == "é"
    assert r4.status_code == 400  # undecodable text is the client's fault


async def test_empty_and_malformed_json_are_400() -> None:
    app = get_application()

    @app.post("/j")
    async def handler(request: Request, response: Any) -> Any:
        return await request.json

    async with client(app) as c:
        empty = await c.post("/j", headers=JSON_TYPE, content=b"")
        broken = await c.post("/j", content=b"{not json", headers={"content-type": "application/json"})
    assert empty.status_code == 400
    assert broken.status_code == 400
    assert "detail" in broken.json()


async def test_multipart_form_with_a_file() -> None:
    app = get_application()

    @app.post("/upload")
    async def handler(request: Request, response: Any) -> Any:
        form = await request.form
        upload = form["doc"]
        files = await request.files
        content = await upload.read()  # type: ignore[union-attr]
        return {
            "title": form["title"],
            "tags": form.getlist("tag"),
            "filename": upload.filename,  # type: ignore[union-attr]
            "type": upload.content_type,  # type: ignore[union-attr]
            "content": content.decode(),
            "file_keys": list(files),
        }

    async with client(app) as c:
        r = await c.post(
            "/upload",
            data={"title": "report", "tag": ["a", "b"]},
            files={"doc": ("notes.txt", b"file body", "text/plain")},
        )
    assert r.status_code == 200, r.text
    assert r.json() == {"title": "report", "tags": ["a", "b"], "filename": "notes.txt",
                        "type": "text/plain", "content": "file body", "file_keys": ["doc"]}


async def test_urlencoded_form_and_wrong_content_type() -> None:
    app = get_application()

    @app.post("/form")
    async def handler(request: Request, response: Any) -> Any:
        form = await request.form()
        return {"name": form["name"], "xs": form.getlist("x")}

    async with client(app) as c:
        ok = await c.post("/form", data={"name": "Zoë", "x": ["1", "2"]})
        wrong = await c.post("/form", json={"name": "x"})
    assert ok.json() == {"name": "Zoë", "xs": ["1", "2"]}
    assert wrong.status_code == 415


# --- helpers ----------------------------------------------------------------------------------


def _auth_request(value: str | None) -> Request:
    headers = [(b"host", b"testserver")]
    if value is not None:
        headers.append((b"authorization", value.encode("latin-1")))
    return Request(make_scope(headers=headers))


def test_bearer_token() -> None:
    assert _auth_request("Bearer abc.def").bearer_token == "abc.def"
    assert _auth_request("bearer   tok ").bearer_token == "tok"
    assert _auth_request("Bearer ").bearer_token is None
    assert _auth_request("Basic abc").bearer_token is None
    assert _auth_request(None).bearer_token is None


def test_basic_auth_including_malformed_values() -> None:
    good = base64.b64encode(b"alice:s3:cret").decode()
    assert _auth_request(f"Basic {good}").basic_auth == ("alice", "s3:cret")
    no_colon = base64.b64encode(b"alice").decode()
    assert _auth_request(f"Basic {no_colon}").basic_auth is None
    assert _auth_request("Basic !!!not-base64!!!").basic_auth is None
    bad_utf8 = base64.b64encode(b"\xff\xfe:x").decode()
    assert _auth_request(f"Basic {bad_utf8}").basic_auth is None
    assert _auth_request("Bearer abc").basic_auth is None
    assert _auth_request(None).basic_auth is None


async def test_basic_auth_malformed_over_http_is_not_an_error() -> None:
    app = get_application()

    @app.get("/who")
    async def handler(request: Request, response: Any) -> Any:
        return {"auth": request.basic_auth}

    async with client(app) as c:
        r = await c.get("/who", headers={"Authorization": "Basic %%%"})
    assert r.status_code == 200
    assert r.json() == {"auth": None}


def test_ajax_accepts_origin_referrer_and_method() -> None:
    request = Request(make_scope(method="POST", headers=[
        (b"host", b"testserver"),
        (b"x-requested-with", b"XMLHttpRequest"),
        (b"accept", b"text/html,application/xhtml+xml"),
        (b"origin", b"https://a.example"),
        (b"referer", b"https://a.example/page"),
    ]))
    assert request.is_ajax
    assert request.accepts_html
    assert not request.accepts_json
    assert request.origin == "https://a.example"
    assert request.referrer == "https://a.example/page"
    assert request.is_method("post")
    assert not request.is_method("get")

    plain = Request(make_scope(headers=[(b"accept", b"application/problem+json")]))
    assert not plain.is_ajax
    assert plain.accepts_json
    assert not plain.accepts_html
    assert Request(make_scope(headers=[(b"accept", b"application/json")])).accepts_json


async def test_build_absolute_uri_and_malformed_host() -> None:
    app = get_application()

    @app.get("/dir/page")
    async def handler(request: Request, response: Any) -> Any:
        return {"abs": request.build_absolute_uri("/next"),
                "rel": request.build_absolute_uri("other")}

    async with client(app) as c:
        ok = await c.get("/dir/page")
        ok_port = await c.get("/dir/page", headers={"Host": "example.com:8080"})
        ipv6 = await c.get("/dir/page", headers={"Host": "[::1]:8000"})
        bad_hosts = [
            await c.get("/dir/page", headers={"Host": host})
            for host in ("evil.com/x", "evil.com:abc", "a@b.com", "exa mple.com", "[zz]:80", "")
        ]
    assert ok.json() == {"abs": "http://testserver/next", "rel": "http://testserver/dir/other"}
    assert ok_port.json()["abs"] == "http://example.com:8080/next"
    assert ipv6.json()["abs"] == "http://[::1]:8000/next"
    for bad in bad_hosts:
        assert bad.status_code == 400, bad.request.headers.get("host")
        assert bad.json() == {"detail": "Invalid Host header"}


def test_get_client_ip_trusts_forwarded_only_when_asked() -> None:
    headers = [(b"host", b"testserver"), (b"x-forwarded-for", b"198.51.100.7, 10.0.0.2")]
    request = Request(make_scope(headers=headers))
    assert request.get_client_ip() == "10.0.0.1"
    # One trusted proxy appended the last entry; anything left of it came from the client.
    assert request.get_client_ip(trust_forwarded=True) == "10.0.0.2"
    assert request.get_client_ip(trusted_proxies=1) == "10.0.0.2"
    assert request.get_client_ip(trusted_proxies=2) == "198.51.100.7"
    # Fewer entries than proxies: the header is not what our proxies write, so ignore it.
    assert request.get_client_ip(trusted_proxies=3) == "10.0.0.1"

    forged = Request(make_scope(headers=[(b"x-forwarded-for", b"not-an-ip")]))
    assert forged.get_client_ip(trust_forwarded=True) == "10.0.0.1"

    v6 = Request(make_scope(headers=[(b"x-forwarded-for", b"2001:db8::1")]))
    assert v6.get_client_ip(trust_forwarded=True) == "2001:db8::1"

    nobody = Request(make_scope(client=None))
    assert nobody.get_client_ip() is None
    assert nobody.client is None


def test_repr_and_session_without_middleware() -> None:
    request = Request(make_scope(method="DELETE", path="/x"))
    assert repr(request) == "<Request DELETE /x>"
    with pytest.raises(RuntimeError, match="SessionMiddleware"):
        _ = request.session
    assert request.user is None
    assert request.auth is None


async def test_empty_body_without_content_type_reads_as_an_empty_form() -> None:
    app = get_application()

    @app.post("/form")
    async def handler(request: Request, response: Any) -> Any:
        return {"fields": dict(await request.form)}

    async with client(app) as c:
        empty = await c.post("/form")
        not_a_form = await c.post("/form", content=b"{}", headers={"content-type": "application/json"})
    assert empty.json() == {"fields": {}}
    assert not_a_form.status_code == 415


async def test_checking_for_a_disconnect_does_not_lose_a_waiting_body_chunk() -> None:
    messages = [
        {"type": "http.request", "body": b'{"a": ', "more_body": True},
        {"type": "http.request", "body": b"1}", "more_body": False},
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "POST", "headers": [(b"content-type", b"application/json")]},
                      receive)
    assert await request.is_disconnected() is False  # it took the first chunk off the channel
    assert await request.json == {"a": 1}
    assert await request.is_disconnected() is True
