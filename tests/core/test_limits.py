"""Request limits at their boundaries (SECURITY.md "Default limits"): exactly at the limit passes,
one over answers the documented status. Also per-app and per-route overrides."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from nexios import get_application
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.limits import DEFAULT_LIMITS, MIB, Limits, limits_for
from nexios_core.request import Request
from nexios_core.responses import Response

pytestmark = pytest.mark.anyio

JSON_TYPE = {"content-type": "application/json"}


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def chunked(total: int, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A body of ``total`` bytes sent without Content-Length (Transfer-Encoding: chunked)."""
    sent = 0
    while sent < total:
        size = min(chunk, total - sent)
        sent += size
        yield b"x" * size


def body_app(**options: Any) -> Any:
    app = get_application(**options)

    @app.post("/body")
    async def body(request: Request, response: Response) -> Any:
        return {"size": len(await request.body)}

    @app.post("/json")
    async def as_json(request: Request, response: Response) -> Any:
        data = await request.json
        return {"type": type(data).__name__}

    @app.get("/query")
    async def query(request: Request, response: Response) -> Any:
        return {"fields": len(request.query_params.multi_items())}

    @app.post("/form")
    async def form(request: Request, response: Response) -> Any:
        return {"fields": len((await request.form).multi_items())}

    @app.post("/stream")
    async def stream(request: Request, response: Response) -> Any:
        total = 0
        async for piece in request.stream():
            total += len(piece)
        return {"size": total}

    return app


def test_documented_defaults() -> None:
    assert DEFAULT_LIMITS.max_body_size == 1 * MIB
    assert DEFAULT_LIMITS.max_multipart_size == 10 * MIB
    assert DEFAULT_LIMITS.max_query_fields == 1000
    assert DEFAULT_LIMITS.max_form_fields == 1000
    assert DEFAULT_LIMITS.max_json_depth == 1024
    assert DEFAULT_LIMITS.max_boundary_length == 70
    assert DEFAULT_LIMITS.max_websocket_message_size == 1 * MIB
    assert limits_for({}) is DEFAULT_LIMITS
    assert Limits().replace(max_body_size=5).max_body_size == 5
    with pytest.raises(TypeError):
        Limits().replace(no_such_limit=1)


@pytest.mark.parametrize("path", ["/body", "/stream"])
async def test_body_limit_with_content_length(path: str) -> None:
    app = body_app()
    async with client(app) as c:
        at_limit = await c.post(path, content=b"x" * MIB)
        over = await c.post(path, content=b"x" * (MIB + 1))
    assert (at_limit.status_code, at_limit.json()) == (200, {"size": MIB})
    assert over.status_code == 413
    assert "detail" in over.json()


@pytest.mark.parametrize("path", ["/body", "/stream"])
async def test_body_limit_when_chunked_without_content_length(path: str) -> None:
    app = body_app()
    async with client(app) as c:
        at_limit = await c.post(path, content=chunked(MIB))
        over = await c.post(path, content=chunked(MIB + 1))
    assert at_limit.request.headers.get("content-length") is None
    assert (at_limit.status_code, at_limit.json()) == (200, {"size": MIB})
    assert over.status_code == 413


async def test_content_length_over_the_limit_is_refused_before_reading() -> None:
    reads: list[int] = []

    async def handler(request: Request, response: Response) -> Any:
        return {"size": len(await request.body)}

    app = App(dispatcher=HandlerDispatcher(http=handler))
    scope = {
        "type": "http", "method": "POST", "path": "/", "query_string": b"", "root_path": "",
        "headers": [(b"content-length", str(MIB + 1).encode()), (b"host", b"t")],
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        reads.append(1)
        return {"type": "http.request", "body": b"x", "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert reads == []  # not a byte of the body was read


async def test_invalid_content_length_is_400() -> None:
    async def handler(request: Request, response: Response) -> Any:
        return {"size": len(await request.body)}

    app = App(dispatcher=HandlerDispatcher(http=handler))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"",
             "headers": [(b"content-length", b"12abc")]}
    await app(scope, receive, send)
    assert sent[0]["status"] == 400


async def test_json_body_limit_and_depth() -> None:
    app = body_app()
    deep_ok = b"[" * 1024 + b"]" * 1024
    deep_bad = b"[" * 1025 + b"]" * 1025
    padded = b'"' + b"a" * (MIB - 2) + b'"'
    async with client(app) as c:
        ok = await c.post("/json", content=deep_ok, headers={"content-type": "application/json"})
        bad = await c.post("/json", content=deep_bad, headers={"content-type": "application/json"})
        big_ok = await c.post("/json", headers=JSON_TYPE, content=padded)
        big_bad = await c.post("/json", headers=JSON_TYPE, content=padded + b" ")
        digits_ok = await c.post("/json", headers=JSON_TYPE, content=b"7" * 4300)
        digits_bad = await c.post("/json", headers=JSON_TYPE, content=b"7" * 4301)
    assert (ok.status_code, ok.json()) == (200, {"type": "list"})
    assert bad.status_code == 400
    assert "1024" in bad.json()["detail"]
    assert (big_ok.status_code, big_ok.json()) == (200, {"type": "str"})
    assert big_bad.status_code == 413
    assert (digits_ok.status_code, digits_ok.json()) == (200, {"type": "int"})
    assert digits_bad.status_code == 400


async def test_query_field_limit() -> None:
    app = body_app()
    at_limit = "&".join(f"k{i}=v" for i in range(1000))
    over = at_limit + "&extra=1"
    async with client(app) as c:
        ok = await c.get(f"/query?{at_limit}")
        bad = await c.get(f"/query?{over}")
    assert (ok.status_code, ok.json()) == (200, {"fields": 1000})
    assert bad.status_code == 400
    assert "query" in bad.json()["detail"].lower()


async def test_urlencoded_field_limit() -> None:
    app = body_app()
    at_limit = "&".join(f"k{i}=v" for i in range(1000))
    headers = {"content-type": "application/x-www-form-urlencoded"}
    async with client(app) as c:
        ok = await c.post("/form", content=at_limit, headers=headers)
        bad = await c.post("/form", content=at_limit + "&extra=1", headers=headers)
    assert (ok.status_code, ok.json()) == (200, {"fields": 1000})
    assert bad.status_code == 413


async def test_per_app_limits() -> None:
    app = body_app(limits=Limits(max_body_size=100, max_query_fields=3, max_json_depth=4))
    async with client(app) as c:
        body_ok = await c.post("/body", content=b"x" * 100)
        body_bad = await c.post("/body", content=b"x" * 101)
        chunked_bad = await c.post("/body", content=chunked(101, chunk=7))
        query_ok = await c.get("/query?a=1&b=2&c=3")
        query_bad = await c.get("/query?a=1&b=2&c=3&d=4")
        depth_ok = await c.post("/json", headers=JSON_TYPE, content=b"[[[[]]]]")
        depth_bad = await c.post("/json", headers=JSON_TYPE, content=b"[[[[[]]]]]")
    assert (body_ok.status_code, body_bad.status_code, chunked_bad.status_code) == (200, 413, 413)
    assert (query_ok.status_code, query_bad.status_code) == (200, 400)
    assert (depth_ok.status_code, depth_bad.status_code) == (200, 400)


async def test_per_route_limits_override_the_app() -> None:
    app = get_application(limits=Limits(max_body_size=100))

    @app.post("/small")
    async def small(request: Request, response: Response) -> Any:
        return {"size": len(await request.body)}

    @app.post("/upload", limits=Limits(max_body_size=2 * MIB))
    async def upload(request: Request, response: Response) -> Any:
        return {"size": len(await request.body)}

    @app.post("/tiny/{slot}", limits=Limits(max_body_size=10, max_json_depth=2))
    async def tiny(request: Request, response: Response, slot: str) -> Any:
        return {"slot": slot, "data": await request.json}

    async with client(app) as c:
        small_bad = await c.post("/small", content=b"x" * 101)
        up_ok = await c.post("/upload", content=b"x" * (2 * MIB))
        up_bad = await c.post("/upload", content=chunked(2 * MIB + 1))
        tiny_ok = await c.post("/tiny/a", headers=JSON_TYPE, content=b"[[1]]")
        tiny_deep = await c.post("/tiny/a", headers=JSON_TYPE, content=b"[[[1]]]")
        tiny_big = await c.post("/tiny/a", headers=JSON_TYPE, content=b"[" + b"1," * 5 + b"1]")
    assert small_bad.status_code == 413
    assert (up_ok.status_code, up_ok.json()) == (200, {"size": 2 * MIB})
    assert up_bad.status_code == 413
    assert (tiny_ok.status_code, tiny_ok.json()) == (200, {"slot": "a", "data": [[1]]})
    assert tiny_deep.status_code == 400
    assert tiny_big.status_code == 413


async def test_multipart_uses_its_own_larger_limit() -> None:
    app = get_application(limits=Limits(max_body_size=1000, max_multipart_size=5000))

    @app.post("/up")
    async def up(request: Request, response: Response) -> Any:
        form = await request.form
        return {"size": form["f"].size}  # type: ignore[union-attr]

    async with client(app) as c:
        ok = await c.post("/up", files={"f": ("a.bin", b"x" * 3000)})
        bad = await c.post("/up", files={"f": ("a.bin", b"x" * 6000)})
    assert (ok.status_code, ok.json()) == (200, {"size": 3000})
    assert bad.status_code == 413


async def test_int_path_param_that_does_not_convert_is_404() -> None:
    app = get_application()

    @app.get("/items/{item_id:int}")
    async def item(request: Request, response: Response, item_id: int) -> Any:
        return {"id": item_id}

    async with client(app) as c:
        ok = await c.get("/items/" + "9" * 4300)
        too_long = await c.get("/items/" + "9" * 4301)
        letters = await c.get("/items/12a")
    assert ok.status_code == 200
    assert (too_long.status_code, letters.status_code) == (404, 404)


@pytest.mark.parametrize("kind", ["json", "form", "text"])
async def test_compressed_request_body_is_refused_with_415_not_decoded(kind: str) -> None:
    # SECURITY.md: request Content-Encoding is not decoded by default (a decompression bomb would
    # bypass the body limit), so parsers refuse compressed bodies instead of misreading them.
    import gzip

    app = get_application()

    @app.post("/parse")
    async def parse(request, response):  # type: ignore[no-untyped-def]
        if kind == "json":
            return {"value": await request.json}
        if kind == "form":
            return {"value": dict(await request.form)}
        return {"value": await request.text}

    content_type = {"json": "application/json", "form": "application/x-www-form-urlencoded",
                    "text": "text/plain"}[kind]
    body = gzip.compress(b'{"a": 1}' if kind == "json" else b"a=1")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        refused = await client.post("/parse", content=body,
                                    headers={"content-type": content_type, "content-encoding": "gzip"})
        plain = await client.post("/parse", content=b'{"a": 1}' if kind == "json" else b"a=1",
                                  headers={"content-type": content_type, "content-encoding": "identity"})
    assert refused.status_code == 415
    assert "gzip" in refused.json()["detail"]
    assert plain.status_code == 200
