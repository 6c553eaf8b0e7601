"""Fuzz a whole Nexios app through ASGI, the way a server would call it: a fuzzed path, query
string, header block and body (in two chunks) reach middleware (sessions, CORS, gzip), the router,
dependency injection with typed parameters, body and form parsers, and file responses.

Whatever the request, the answer is a complete HTTP response with a status below 500, and nothing
escapes the app. The input is ``route-byte path NUL query NUL headers NUL body``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from _driver import instrumented, main

with instrumented():
    from pydantic import BaseModel

    from nexios import get_application
    from nexios.dependencies import Header, Query
    from nexios.middleware.cors import CORSMiddleware
    from nexios.middleware.gzip import GZipMiddleware
    from nexios.session.middleware import SessionMiddleware
    from nexios_core.datastructures import UploadFile
    from nexios_core.limits import Limits
    from nexios_core.request import Request
    from nexios_core.responses import Response
    from nexios_core.staticfiles import StaticFiles
    from nexios_core.types import Message

# A 500 is reported by the assertion below; the app's own error log would only repeat it.
logging.getLogger("nexios").setLevel(logging.CRITICAL)

# Files to serve without creating any: the fuzz directory itself, read only.
_HERE = Path(__file__).resolve().parent


class Order(BaseModel):
    item: str
    quantity: int
    notes: list[str] = []


def build_app() -> Any:
    app = get_application(config={"secret_key": "fuzzing-secret-key-fuzzing-secret-key"},
                          limits=Limits(max_body_size=8192, max_multipart_size=16384, max_json_depth=32))
    app.add_middleware(SessionMiddleware())
    app.add_middleware(CORSMiddleware, allow_origins=["https://ok.example"], allow_credentials=True,
                       allow_methods=["GET", "POST"], allow_headers=["x-token"])
    app.add_middleware(GZipMiddleware, minimum_size=10)
    app.register(StaticFiles(directory=_HERE, html=True), prefix="/static")

    @app.get("/items/{item_id:int}")
    async def item(request: Request, response: Response, item_id: int, verbose: bool = Query(False)) -> Any:
        return {"item_id": item_id, "verbose": verbose}

    @app.get("/search/{term}")
    async def search(request: Request, response: Response, term: str, page: int = Query(1, ge=1),
                     tags: list[str] = Query([]), x_token: str = Header("none")) -> Any:
        return {"term": term, "page": page, "tags": tags, "token": x_token}

    @app.post("/json")
    async def echo_json(request: Request, response: Response) -> Any:
        return {"value": await request.json}

    @app.post("/orders")
    async def order(request: Request, response: Response, body: Order) -> Any:
        return body

    @app.post("/form")
    async def form(request: Request, response: Response) -> Any:
        parsed = await request.form
        return {name: (value.filename if isinstance(value, UploadFile) else value)
                for name, value in parsed.multi_items()}

    @app.route("/session", methods=["GET", "POST"])
    async def session(request: Request, response: Response) -> Any:
        request.session["seen"] = request.session.get("seen", 0) + 1
        return {"seen": request.session["seen"], "cookies": request.cookies, "url": str(request.url)}

    @app.get("/file")
    async def file(request: Request, response: Response) -> Any:
        return response.file(_HERE / "run.py", filename=request.query_params.get("name", "run.py"))

    return app


APP = build_app()
ROUTES = [("GET", "/items/"), ("GET", "/search/"), ("POST", "/json"), ("POST", "/orders"), ("POST", "/form"),
          ("GET", "/session"), ("POST", "/session"), ("GET", "/file"), ("GET", "/static/"), ("HEAD", "/items/"),
          ("OPTIONS", "/json"), ("DELETE", "/items/"), ("GET", "/")]
_LOOP = asyncio.new_event_loop()

SEEDS = [b"\x00123\x00verbose=true\x00accept-encoding: gzip\x00",
         b"\x01caf%C3%A9\x00page=2&tags=a&tags=b\x00x-token: t\norigin: https://ok.example\x00",
         b'\x03\x00\x00content-type: application/json\x00{"item": "x", "quantity": 2, "notes": ["a"]}',
         b"\x04\x00\x00content-type: multipart/form-data; boundary=B\x00--B\r\nContent-Disposition: form-data; "
         b'name="f"; filename="../x"\r\n\r\nhi\r\n--B--\r\n',
         b"\x07\x00name=r%C3%A9sum%C3%A9.pdf\x00range: bytes=0-10,20-30\nif-none-match: *\x00",
         b"\x0a\x00\x00origin: https://ok.example\naccess-control-request-method: POST\x00",
         b"\x05\x00\x00cookie: session_id=abc.def; other=1\nhost: ex.com:80\x00"]
TOKENS = [b"\x00", b"\n", b": ", b"content-type: ", b"application/json", b"multipart/form-data; boundary=",
          b"application/x-www-form-urlencoded", b"content-length: ", b"cookie: session_id=", b"range: bytes=",
          b"accept-encoding: gzip", b"origin: ", b"host: ", b"%", b"../", b"//", b"[", b"{", b'"', b"9" * 20]


def _headers(block: bytes) -> list[tuple[bytes, bytes]]:
    raw = []
    for line in block.split(b"\n"):
        name, separator, value = line.partition(b":")
        name = bytes(c for c in name.strip().lower() if 0x21 <= c < 0x7F and c not in b'"(),/:;<=>?@[\\]{}')
        if separator and name:
            raw.append((name, value.strip(b" \t").replace(b"\r", b"")))
    return raw


async def _call(method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    middle = len(body) // 2
    incoming: list[Message] = [{"type": "http.request", "body": body[:middle], "more_body": True},
                               {"type": "http.request", "body": body[middle:], "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)  # the client never leaves during the fuzzed request
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, (b"host", b"testserver"))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode("utf-8", "replace"), "root_path": "", "query_string": query,
             "headers": headers, "client": ("127.0.0.1", 40000), "server": ("testserver", 80)}
    await asyncio.wait_for(APP(scope, receive, send), timeout=5)
    assert sent and sent[0]["type"] == "http.response.start", sent[:1]
    assert sent[0]["status"] < 500, (sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])[:300])
    assert sent[-1]["type"] == "http.response.body" and not sent[-1].get("more_body", False)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    method, prefix = ROUTES[data[0] % len(ROUTES)]
    path, _, rest = data[1:].partition(b"\x00")
    query, _, rest = rest.partition(b"\x00")
    header_block, _, body = rest.partition(b"\x00")
    # A server gives the path percent-decoded and as text; it never contains "?" or "#". The query
    # string is raw, but HTTP/1.1 parsers refuse control characters and spaces in a request target.
    text_path = prefix + path.decode("utf-8", "replace").replace("?", "").replace("#", "")
    raw_query = bytes(c for c in query if 0x21 <= c != 0x7F and c != 0x23)
    _LOOP.run_until_complete(_call(method, text_path, raw_query, _headers(header_block), body))


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
