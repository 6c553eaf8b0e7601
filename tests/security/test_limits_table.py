"""One regression test per row of SECURITY.md's "Default limits" table, through a whole app with
the default limits: at the limit the request is served, past it the documented answer comes back
(a 4xx with a small JSON body, or a WebSocket close code), never a 500 or a hang.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pydantic import BaseModel

from nexios import get_application
from nexios.testclient import TestClient
from nexios_core.datastructures import UploadFile
from nexios_core.limits import DEFAULT_LIMITS, MIB
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.websocket import WebSocket
from nexios_session.interface import DEFAULT_MAX_AGE
from tests.pressure.asgi_driver import call

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
BOUNDARY = "limits-boundary"

JSON_TYPE = {"content-type": "application/json"}


class Item(BaseModel):
    name: str


def limits_app(file_path: Path | None = None) -> Any:
    app = get_application()

    @app.post("/raw")
    async def raw(request: Request, response: Response) -> Any:
        return {"size": len(await request.body)}

    @app.post("/json")
    async def parsed(request: Request, response: Response) -> Any:
        data = await request.json
        return {"type": type(data).__name__}

    @app.post("/typed")
    async def typed(request: Request, response: Response, item: Item) -> Any:
        return {"name": item.name}

    @app.post("/form")
    async def form(request: Request, response: Response) -> Any:
        parsed_form = await request.form
        files = [value for _, value in parsed_form.multi_items() if isinstance(value, UploadFile)]
        return {
            "parts": len(parsed_form.multi_items()),
            "files": len(files),
            "on_disk": [bool(getattr(f.file, "_rolled", False)) for f in files],
            "sizes": [f.size for f in files],
        }

    @app.get("/query")
    async def query(request: Request, response: Response) -> Any:
        return {"fields": len(request.query_params.multi_items())}

    @app.get("/items/{item_id:int}")
    async def item(request: Request, response: Response, item_id: int) -> Any:
        return {"digits": len(str(item_id))}

    if file_path is not None:
        @app.get("/file")
        async def file(request: Request, response: Response) -> Any:
            return response.file(file_path)

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.send_text(str(len(await websocket.receive_text())))

    return app


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def field(name: str, value: bytes) -> bytes:
    return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"


def file(name: str, content: bytes) -> bytes:
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + b"\r\n"


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


async def chunked(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """The body as a stream: httpx sends it with Transfer-Encoding: chunked, no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start:start + size]


def assert_refused(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text[:200]
    assert answer.headers["content-type"] == "application/json"
    assert isinstance(answer.json()["detail"], str)


async def test_non_multipart_body_over_1_mib_is_413_by_content_length_and_while_streaming(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_body_size == MIB
    async with client_for(limits_app()) as client:
        assert (await client.post("/raw", content=b"x" * MIB)).json() == {"size": MIB}
        assert_refused(await client.post("/raw", content=b"x" * (MIB + 1)), 413)
        assert_refused(await client.post("/raw", content=chunked(b"x" * (MIB + 1))), 413)
    # Checked on the declared length before reading: the body is never sent here.
    answer = await call(limits_app(), "POST", "/raw", headers=[(b"content-length", str(MIB + 1).encode())])
    assert answer.status == 413


async def test_multipart_body_over_10_mib_is_413(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_multipart_size == 10 * MIB
    big = 4 * MIB
    async with client_for(limits_app()) as client:
        allowed = multipart(*(file(f"f{i}", b"a" * big) for i in range(2)))  # 8 MiB: over 1 MiB is fine
        assert (await client.post("/form", content=allowed, headers=MULTIPART)).json()["files"] == 2
        too_big = multipart(*(file(f"f{i}", b"a" * big) for i in range(3)))
        assert_refused(await client.post("/form", content=too_big, headers=MULTIPART), 413)
        assert_refused(await client.post("/form", content=chunked(too_big), headers=MULTIPART), 413)


async def test_multipart_with_more_than_1000_parts_is_413(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_form_parts == 1000
    async with client_for(limits_app()) as client:
        at_limit = multipart(*(field(f"f{i}", b"v") for i in range(1000)))
        assert (await client.post("/form", content=at_limit, headers=MULTIPART)).json()["parts"] == 1000
        over = multipart(*(field(f"f{i}", b"v") for i in range(1001)))
        assert_refused(await client.post("/form", content=over, headers=MULTIPART), 413)


async def test_more_than_100_files_in_one_request_is_413(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_files == 100
    async with client_for(limits_app()) as client:
        at_limit = multipart(*(file(f"f{i}", b"data") for i in range(100)))
        assert (await client.post("/form", content=at_limit, headers=MULTIPART)).json()["files"] == 100
        over = multipart(*(file(f"f{i}", b"data") for i in range(101)))
        assert_refused(await client.post("/form", content=over, headers=MULTIPART), 413)


async def test_one_non_file_part_over_1_mib_is_413(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_part_size == MIB
    async with client_for(limits_app()) as client:
        at_limit = multipart(field("text", b"t" * MIB))
        assert (await client.post("/form", content=at_limit, headers=MULTIPART)).status_code == 200
        over = multipart(field("text", b"t" * (MIB + 1)))
        assert_refused(await client.post("/form", content=over, headers=MULTIPART), 413)
        # The per-part limit is for fields held in memory; files spool to disk instead.
        big_file = multipart(file("f", b"t" * (2 * MIB)))
        assert (await client.post("/form", content=big_file, headers=MULTIPART)).status_code == 200


async def test_uploaded_file_above_1_mib_spools_to_disk(client_for: Client) -> None:
    assert DEFAULT_LIMITS.spool_threshold == MIB
    async with client_for(limits_app()) as client:
        body = multipart(file("small", b"s" * MIB), file("large", b"l" * (MIB + 1)))
        answer = await client.post("/form", content=body, headers=MULTIPART)
    assert answer.json()["on_disk"] == [False, True]
    assert answer.json()["sizes"] == [MIB, MIB + 1]


async def test_multipart_boundary_longer_than_70_characters_is_400(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_boundary_length == 70
    async with client_for(limits_app()) as client:
        for length, status in ((70, 200), (71, 400), (10_000, 400)):
            boundary = "b" * length
            body = f'--{boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--{boundary}--\r\n'
            answer = await client.post("/form", content=body.encode(),
                                       headers={"content-type": f"multipart/form-data; boundary={boundary}"})
            assert answer.status_code == status, (length, answer.text)


async def test_urlencoded_body_with_more_than_1000_fields_is_413(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_form_fields == 1000
    form = {"content-type": "application/x-www-form-urlencoded"}
    async with client_for(limits_app()) as client:
        at_limit = "&".join(f"f{i}=v" for i in range(1000)).encode()
        assert (await client.post("/form", content=at_limit, headers=form)).json()["parts"] == 1000
        over = "&".join(f"f{i}=v" for i in range(1001)).encode()
        assert_refused(await client.post("/form", content=over, headers=form), 413)


async def test_query_string_with_more_than_1000_fields_is_400(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_query_fields == 1000
    async with client_for(limits_app()) as client:
        at_limit = "&".join(f"q{i}=v" for i in range(1000))
        assert (await client.get(f"/query?{at_limit}")).json() == {"fields": 1000}
        assert_refused(await client.get(f"/query?{at_limit}&one=more"), 400)


async def test_json_nesting_deeper_than_limit_is_400_not_recursion_error(client_for: Client) -> None:
    assert DEFAULT_LIMITS.max_json_depth == 1024
    async with client_for(limits_app()) as client:
        assert (await client.post("/json", headers=JSON_TYPE, content=b"[" * 1024 + b"]" * 1024)).status_code == 200
        assert_refused(await client.post("/json", headers=JSON_TYPE, content=b"[" * 1025 + b"]" * 1025), 400)
        # Far beyond the interpreter's recursion limit, and unbalanced: still a plain 400.
        assert_refused(await client.post("/json", headers=JSON_TYPE, content=b'{"a":' * 200_000), 400)
        assert_refused(await client.post("/json", headers=JSON_TYPE, content=b"[" * (MIB // 2)), 400)


async def test_json_integer_over_4300_digits_is_400_not_value_error(client_for: Client) -> None:
    async with client_for(limits_app()) as client:
        assert (await client.post("/json", headers=JSON_TYPE, content=b"9" * 4300)).json() == {"type": "int"}
        assert_refused(await client.post("/json", headers=JSON_TYPE, content=b"9" * 4301), 400)
        assert_refused(await client.post("/json", headers=JSON_TYPE, content=b'{"n": -' + b"1" * 100_000 + b"}"), 400)


@pytest.mark.parametrize("body", [b"NaN", b"[Infinity]", b'{"x": -Infinity}', b"1e999", b'"\\ud800"',
                                  b'{"k": "a\\udfffb"}', b'"\\udc00\\ud800"'])
async def test_json_nan_infinity_and_lone_surrogates_are_400(client_for: Client, body: bytes) -> None:
    async with client_for(limits_app()) as client:
        assert_refused(await client.post("/json", headers=JSON_TYPE, content=body), 400)
        # A correctly paired surrogate is a real character and stays accepted.
        assert (await client.post("/json", headers=JSON_TYPE, content=b'"\\ud83d\\ude00"')).status_code == 200


async def test_typed_json_body_with_a_non_json_content_type_is_415(client_for: Client) -> None:
    async with client_for(limits_app()) as client:
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx"):
            answer = await client.post("/typed", content=b'{"name": "a"}', headers={"content-type": content_type})
            assert_refused(answer, 415)
        for content_type in ("application/json", "application/vnd.api+json", "application/json; charset=utf-8"):
            answer = await client.post("/typed", content=b'{"name": "a"}', headers={"content-type": content_type})
            assert answer.json() == {"name": "a"}, content_type


async def test_compressed_request_body_is_415_not_decoded(client_for: Client) -> None:
    # A decompressed body could be far larger than the body limit: it is refused, not inflated.
    bomb = gzip.compress(b"[" + b"0," * (4 * MIB) + b"0]")
    async with client_for(limits_app()) as client:
        for path, content_type in (("/json", "application/json"), ("/form", "application/x-www-form-urlencoded")):
            answer = await client.post(path, content=bomb,
                                       headers={"content-type": content_type, "content-encoding": "gzip"})
            assert_refused(answer, 415)


async def test_more_than_100_ranges_is_416_and_overlapping_ranges_are_merged(
    client_for: Client, tmp_path: Path
) -> None:
    assert DEFAULT_LIMITS.max_ranges == 100
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 40)  # 10240 bytes
    async with client_for(limits_app(path)) as client:
        too_many = "bytes=" + ",".join(f"{i * 10}-{i * 10 + 1}" for i in range(101))
        answer = await client.get("/file", headers={"range": too_many})
        assert answer.status_code == 416
        assert answer.headers["content-range"] == "bytes */10240"
        # A hundred ranges covering the same bytes go out once, as one range, not a hundred parts.
        overlapping = "bytes=" + ",".join(["0-"] * 50 + ["100-200"] * 50)
        answer = await client.get("/file", headers={"range": overlapping})
        assert answer.status_code == 206
        assert answer.headers["content-range"] == "bytes 0-10239/10240"
        assert len(answer.content) == 10240


async def test_int_path_param_that_does_not_convert_is_404() -> None:
    # Sent as a server hands paths over (httpx refuses URLs this long before sending them).
    app = limits_app()
    answer = await call(app, "GET", "/items/" + "9" * 4300)
    assert (answer.status, json.loads(answer.body)) == (200, {"digits": 4300})
    for value in ("abc", "12a", "-", "1.5", "\u0663", "9" * 4301, "9" * 100_000):
        answer = await call(app, "GET", f"/items/{value}")
        assert answer.status == 404, value[:20]


async def test_websocket_message_over_1_mib_closes_with_1009() -> None:
    assert DEFAULT_LIMITS.max_websocket_message_size == MIB
    client = TestClient(limits_app())
    with client.websocket_connect("/ws") as session:
        session.send_text("a" * MIB)
        assert session.receive_text() == str(MIB)
        session.send_text("a" * (MIB + 1))
        closed = session.receive()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 1009


async def test_session_older_than_14_days_gives_a_fresh_session(client_for: Client) -> None:
    from nexios.session.middleware import SessionMiddleware
    from nexios.session.signed_cookies import SignedSessionManager

    assert DEFAULT_MAX_AGE == 14 * 24 * 60 * 60
    now = [1_800_000_000.0]
    app = get_application(config={"secret_key": "session-age-secret"})
    app.add_middleware(SessionMiddleware(backend=SignedSessionManager(clock=lambda: now[0])))

    @app.get("/login")
    async def login(request: Request, response: Response) -> Any:
        request.session["user"] = "alice"
        return {"ok": True}

    @app.get("/whoami")
    async def whoami(request: Request, response: Response) -> Any:
        return {"session": dict(request.session.items())}

    async with client_for(app) as client:
        cookie = (await client.get("/login")).cookies["session_id"]
        client.cookies.clear()
        sent = {"cookie": f"session_id={cookie}"}
        now[0] += DEFAULT_MAX_AGE - 1
        assert (await client.get("/whoami", headers=sent)).json() == {"session": {"user": "alice"}}
        now[0] += 2  # replaying the old cookie after its age: enforced on load, not by the browser
        answer = await client.get("/whoami", headers=sent)
    assert answer.status_code == 200
    assert answer.json() == {"session": {}}


async def test_every_limit_has_a_documented_default() -> None:
    # The table's rows, as the code has them: a change of default must change SECURITY.md too.
    assert json.loads(json.dumps(DEFAULT_LIMITS.__dict__)) == {
        "max_body_size": MIB, "max_multipart_size": 10 * MIB, "max_form_parts": 1000, "max_files": 100,
        "max_part_size": MIB, "spool_threshold": MIB, "max_boundary_length": 70, "max_form_fields": 1000,
        "max_query_fields": 1000, "max_json_depth": 1024, "max_websocket_message_size": MIB, "max_ranges": 100,
        "require_json_content_type": True, "max_cookie_header_size": 32 * 1024,
    }
    await anyio.sleep(0)
