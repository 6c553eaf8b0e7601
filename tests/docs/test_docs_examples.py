"""The documentation tells the truth: every ``docs/examples/*.py`` file is imported and exercised
here, asserting what its page claims; every relative link in ``docs/*.md`` resolves; every page is
linked from ``docs/index.md``; and every Python block of the guide pages is copied verbatim from a
tested example file."""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from nexios import Depend, Router, get_application
from nexios.exceptions import WebSocketDisconnect
from nexios.middleware import CORSMiddleware
from nexios.testclient import TestClient
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.testclient import LifespanFailed, WebSocketDenied

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"

GUIDE_PAGES = [
    "index.md", "getting-started.md", "routing.md", "requests.md", "responses.md", "middleware.md",
    "errors.md", "lifespan.md", "websockets.md", "static-files.md", "testing.md",
    "limits-and-security.md", "configuration.md", "dependencies.md", "channels.md", "rate-limiting.md",
    "deployment.md",
]
"""The pages whose Python blocks must be verbatim excerpts of tested example files."""

KNOWN_EXAMPLES = {
    "configuration.py", "dependencies.py", "errors.py", "getting_started.py", "lifespan.py", "middleware.py",
    "request_limits.py", "request_reading.py", "response_sending.py", "routing.py", "static_files.py",
    "testing.py", "websocket_chat.py", "channels_chat.py", "channels_transport.py", "rate_limits.py",
    "migrating.py",
}
"""Every example file, each exercised by the tests below (a new file must be added here). Names
avoid those of installed packages (``websockets``, ``requests``...): ``nexios run file.py:app``
puts the file's directory first on ``sys.path``, where such a file would shadow the package."""

_loads = 0


def load(filename: str) -> ModuleType:
    """Import ``docs/examples/<filename>`` as a fresh module (examples keep notes in module lists)."""
    global _loads
    _loads += 1
    name = f"docs_example_{filename[:-3]}_{_loads}"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pydantic resolve annotations through it
    spec.loader.exec_module(module)
    return module


def make_client(app: Any, **options: Any) -> TestClient:
    """A test client that shows redirects instead of following them."""
    return TestClient(app, follow_redirects=False, **options)


# ============================================================================ getting-started.md
def test_getting_started_app_answers_as_the_page_says() -> None:
    example = load("getting_started.py")
    http = make_client(example.app)
    assert http.get("/").json() == {"message": "Hello, Nexios"}
    hello = http.get("/hello/Ada")
    assert (hello.text, hello.headers["content-type"]) == ("Hello, Ada!", "text/plain; charset=utf-8")
    assert http.get("/items/3").json() == {"item_id": 3, "type": "int"}
    assert http.get("/items/abc").status_code == 404
    echoed = http.post("/echo", json={"a": 1})
    assert (echoed.status_code, echoed.json()) == (201, {"you_sent": {"a": 1}})
    malformed = http.post("/echo", content=b"{nope", headers={"content-type": "application/json"})
    assert malformed.status_code == 400


# ============================================================================ routing.md
@pytest.fixture(scope="module")
def routing() -> Iterator[TestClient]:
    yield make_client(load("routing.py").app)


def test_routes_and_converters(routing: TestClient) -> None:
    assert routing.get("/items").json() == {"items": ["apple", "pear"]}
    assert routing.post("/items", json={"n": 1}).status_code == 201
    assert routing.get("/items/3").json() == {"item_id": 3, "self": "/items/3"}
    order = "12345678-1234-1234-1234-123456789abc"
    assert routing.get(f"/orders/{order}").json() == {"order_id": order, "type": "UUID"}
    assert routing.get("/files/a/b/c.txt").json() == {"file_path": "a/b/c.txt"}
    assert routing.get("/countries/FR").json() == {"code": "FR"}
    assert routing.post("/ping").json() == {"method": "POST"}


@pytest.mark.parametrize("path", ["/items/abc", "/items/-1", "/items/" + "9" * 4301, "/orders/zz",
                                  "/countries/fr", "/countries/FRA", "/nowhere"])
def test_a_segment_a_converter_refuses_is_a_404(routing: TestClient, path: str) -> None:
    answer = routing.get(path)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})


def test_a_value_refused_by_an_annotation_is_a_422(routing: TestClient) -> None:
    answer = routing.get("/pages/abc")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "number"]
    assert routing.get("/pages/7").json() == {"number": 7}


def test_literal_segments_win_over_parameters(routing: TestClient) -> None:
    assert routing.get("/users/me").json() == {"user": "the current user"}
    assert routing.get("/users/bob").json() == {"user": "bob"}


def test_405_lists_allowed_methods_and_options_is_204(routing: TestClient) -> None:
    refused = routing.delete("/items")
    assert (refused.status_code, refused.json()) == (405, {"detail": "Method Not Allowed"})
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert routing.request("TRACE", "/items").status_code == 405
    options = routing.options("/items")
    assert (options.status_code, options.content) == (204, b"")
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_head_is_answered_for_get_routes_without_a_body(routing: TestClient) -> None:
    full = routing.get("/items")
    head = routing.head("/items")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == full.headers["content-length"]


def test_trailing_slash_rule(routing: TestClient) -> None:
    added = routing.get("/reports?page=2")
    assert (added.status_code, added.headers["location"]) == (307, "/reports/?page=2")
    removed = routing.get("/items/")
    assert (removed.status_code, removed.headers["location"]) == (307, "/items")
    assert routing.get("/reports/").json() == {"route": "/reports/"}
    assert routing.get("/nothing/").status_code == 404
    followed = TestClient(routing.app).post("/items/", json={"kept": True})  # follows redirects
    assert (followed.status_code, followed.json()) == (201, {"kept": True})


@pytest.mark.parametrize("path", ["//evil.example/", "/%5Cevil.example/"])
def test_trailing_slash_redirects_stay_on_site(routing: TestClient, path: str) -> None:
    location = routing.get(path).headers.get("location")
    assert location is None or (location.startswith("/") and not location.startswith("//"))


def test_redirect_slashes_can_be_turned_off() -> None:
    app = get_application(redirect_slashes=False)

    @app.get("/reports/")
    async def reports(request: Any, response: Any) -> dict[str, str]:
        return {}

    assert make_client(app).get("/reports").status_code == 404


def test_routers_groups_and_url_for(routing: TestClient) -> None:
    root = routing.get("/api/users")
    assert (root.status_code, root.headers["location"]) == (307, "/api/users/")
    assert routing.get("/api/users/").json() == ["ada", "alan"]
    assert routing.get("/api/users/7").json() == {"user_id": 7}
    assert routing.get("/meta/health").json() == {"status": "ok"}
    assert routing.get("/meta/version").json() == {"version": "1.0"}
    app = routing.app
    assert app.url_for("user", user_id=3) == "/api/users/3"
    assert app.url_for("country", code="FR") == "/countries/FR"
    assert app.url_for("read_user", username="a b") == "/users/a%20b"
    assert app.url_for("read_file", file_path="x/y z") == "/files/x/y%20z"
    with pytest.raises(KeyError):
        app.url_for("no-such-route")
    with pytest.raises(ValueError):
        app.url_for("user")
    named = Router(prefix="/v2", name="api")

    @named.get("/{user_id:int}", name="user")
    async def user(request: Any, response: Any, user_id: int) -> dict[str, int]:
        return {}

    outer = get_application()
    outer.mount_router(named)
    assert outer.url_for("api.user", user_id=4) == "/v2/4"


def test_mounted_asgi_app_sees_root_path_and_full_path(routing: TestClient) -> None:
    answer = routing.get("/legacy/x/y")
    assert answer.text == "legacy app: root_path=/legacy path=/legacy/x/y"


def test_two_handlers_for_one_method_and_path_are_refused() -> None:
    app = get_application()

    @app.get("/twice")
    async def first(request: Any, response: Any) -> None:
        return None

    @app.get("/twice")
    async def second(request: Any, response: Any) -> None:
        return None

    with pytest.raises(ImproperlyConfigured, match="Two handlers for GET /twice"):
        app.build()


# ============================================================================ requests.md
@pytest.fixture(scope="module")
def requests_client() -> Iterator[TestClient]:
    yield make_client(load("request_reading.py").app)


def test_url_query_headers_cookies(requests_client: TestClient) -> None:
    http = make_client(requests_client.app, cookies={"theme": "dark"})
    data = http.get("/inspect/ann?page=1&page=2&tag=a&tag=b").json()
    assert data == {
        "method": "GET", "path": "/inspect/ann", "url": "http://testserver/inspect/ann?page=1&page=2&tag=a&tag=b",
        "path_params": {"name": "ann"}, "page": "2", "tags": ["a", "b"], "user_agent": "testclient",
        "theme": "dark", "client_ip": "testclient",
    }


def test_request_helpers(requests_client: TestClient) -> None:
    data = requests_client.get("/whoami", headers={
        "authorization": "Bearer abc", "accept": "application/json", "x-requested-with": "XMLHttpRequest",
        "x-forwarded-for": "203.0.113.9, 10.0.0.1",
    }).json()
    assert data == {"bearer_token": "abc", "basic_auth": None, "accepts_json": True, "is_ajax": True,
                    "forwarded_ip": "10.0.0.1"}
    basic = requests_client.get("/whoami", auth=("ann", "pw")).json()
    assert basic["basic_auth"] == ["ann", "pw"] and basic["forwarded_ip"] == "testclient"
    broken = requests_client.get("/whoami", headers={"authorization": "Basic !!!"}).json()
    assert broken["basic_auth"] is None


def test_json_and_text_bodies(requests_client: TestClient) -> None:
    assert requests_client.post("/json", json={"a": [1, 2]}).json() == {"received": {"a": [1, 2]}, "again": True}
    for body in (b"{nope", b"", b'{"a": NaN}', b"[" * 1025 + b"]" * 1025):
        answer = requests_client.post("/json", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400, body[:20]
    too_big = requests_client.post("/json", content=b'"' + b"x" * (1024 * 1024) + b'"',
                                   headers={"content-type": "application/json"})
    assert too_big.status_code == 413
    encoded = requests_client.post("/json", content=b"\x1f\x8b", headers={"content-encoding": "gzip"})
    assert encoded.status_code == 415
    text = requests_client.post("/text", content="héllo".encode("latin-1"),
                                headers={"content-type": "text/plain; charset=latin-1"})
    assert text.json() == {"length": 5, "upper": "HÉLLO"}
    assert requests_client.post("/text", content=b"\xff\xfe").status_code == 400


def test_forms_and_uploads(requests_client: TestClient) -> None:
    signup = requests_client.post("/signup", data={"email": "a@b.c", "interest": ["x", "y"]})
    assert signup.json() == {"email": "a@b.c", "interests": ["x", "y"]}
    assert requests_client.post("/signup", json={"email": "a"}).status_code == 415
    assert requests_client.post("/signup").json() == {"email": None, "interests": []}  # nothing sent
    upload = requests_client.post("/upload", data={"caption": "me"},
                                  files={"avatar": ("../../me.png", b"\x89PNG....", "image/png")})
    assert upload.json() == {"caption": "me", "filename": "me.png", "content_type": "image/png", "size": 8}
    assert requests_client.post("/upload", data={"avatar": "not a file"}).status_code == 400
    assert requests_client.post("/upload", data={"caption": "no avatar"}).status_code == 400


def test_form_limits_with_default_values(requests_client: TestClient) -> None:
    fields = "&".join(f"f{i}=1" for i in range(1001))
    urlencoded = requests_client.post("/signup", content=fields.encode(),
                                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert urlencoded.status_code == 413
    files = [("f", (f"{i}.txt", b"x", "text/plain")) for i in range(101)]
    assert requests_client.post("/upload", files=files).status_code == 413
    big_field = requests_client.post("/upload", data={"caption": "x" * (1024 * 1024 + 1)},
                                     files={"avatar": ("a", b"a")})
    assert big_field.status_code == 413
    boundary = "b" * 71
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--{boundary}--\r\n"
    long_boundary = requests_client.post("/signup", content=body.encode(),
                                         headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert long_boundary.status_code == 400
    query = requests_client.get("/inspect/a?" + "&".join(f"k{i}=1" for i in range(1001)))
    assert query.status_code == 400


def test_streaming_the_body_and_request_state(requests_client: TestClient) -> None:
    assert requests_client.post("/count-bytes", content=b"x" * 100_000).json() == {"bytes": 100_000}

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    assert requests_client.post("/count-bytes", content=chunks()).status_code == 413  # over 1 MiB
    assert requests_client.get("/state").json() == {"seen_by_middleware": True}


# ============================================================================ responses.md
@pytest.fixture(scope="module")
def responses_example() -> ModuleType:
    return load("response_sending.py")


def test_return_values(responses_example: ModuleType) -> None:
    http = make_client(responses_example.app)
    cases = {
        "/return/dict": ("application/json", b'{"answer":42}'),
        "/return/str": ("text/plain; charset=utf-8", b"plain text"),
        "/return/bytes": ("application/octet-stream", b"\x00\x01"),
        "/return/model": ("application/json", b'{"name":"pear","price":0.5}'),
        "/return/dataclass": ("application/json", b'{"x":1,"y":2}'),
    }
    for path, (media_type, body) in cases.items():
        answer = http.get(path)
        assert (answer.status_code, answer.headers["content-type"], answer.content) == (200, media_type, body)
    empty = http.get("/return/none")
    assert (empty.status_code, empty.content, empty.headers["x-note"]) == (200, b"", "empty body")
    made = http.get("/return/class")
    assert (made.status_code, made.headers["x-kept"], made.text) == (202, "yes", "<h1>Made elsewhere</h1>")


def test_response_builder(responses_example: ModuleType) -> None:
    http = make_client(responses_example.app)
    created = http.post("/builder/created")
    assert (created.status_code, created.headers["location"], created.json()) == (201, "/things/1", {"id": 1})
    page = http.get("/builder/html")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    deleted = http.delete("/builder/empty")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert http.get("/builder/cached").headers["cache-control"] == "public, max-age=300"  # private=False


def test_redirect_defaults(responses_example: ModuleType) -> None:
    http = make_client(responses_example.app)
    assert (http.get("/old-page").status_code, http.get("/old-page").headers["location"]) == (302, "/new-page")
    assert http.post("/forms/submit").status_code == 303
    assert (http.get("/moved").status_code, http.get("/moved").headers["location"]) == (307, "/new-page")


def test_cookies(responses_example: ModuleType) -> None:
    cookies = make_client(responses_example.app).post("/preferences").headers.get_list("set-cookie")
    assert cookies[0] == "theme=dark; HttpOnly; Max-Age=3600; Path=/; SameSite=Lax"
    assert cookies[1].startswith('legacy=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0')


def test_files_conditional_requests_and_ranges(responses_example: ModuleType) -> None:
    http = make_client(responses_example.app)
    full = http.get("/report")
    assert (full.status_code, full.text) == (200, "month,total\njan,10\nfeb,12\n")
    assert full.headers["content-type"] == "text/csv; charset=utf-8"
    assert full.headers["accept-ranges"] == "bytes" and "last-modified" in full.headers
    assert http.get("/report", headers={"if-none-match": full.headers["etag"]}).status_code == 304
    partial = http.get("/report", headers={"range": "bytes=0-4"})
    assert (partial.status_code, partial.content, partial.headers["content-range"]) == (206, b"month", "bytes 0-4/26")
    many = ",".join(f"{i}-{i}" for i in range(101))
    assert http.get("/report", headers={"range": f"bytes={many}"}).status_code == 416
    assert http.get("/report", headers={"range": "bytes=100-200"}).status_code == 416
    assert http.get("/report", headers={"range": "nonsense"}).status_code == 200
    head = http.head("/report")
    assert (head.content, head.headers["content-length"]) == (b"", "26")
    download = http.get("/report/download")
    assert download.headers["content-disposition"].startswith('attachment; filename="report-2024.csv"')
    assert http.get("/missing-file").json() == {"detail": "Not Found"}


def test_streams_and_server_sent_events(responses_example: ModuleType) -> None:
    http = make_client(responses_example.app)
    streamed = http.get("/stream")
    assert (streamed.text, streamed.headers["content-type"]) == ("0\n1\n2\n", "text/plain; charset=utf-8")
    events = http.get("/events")
    assert events.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert events.headers["cache-control"] == "no-cache"
    assert events.text == 'data: {"tick":1}\n\ndata: plain data\n\nevent: tick\nid: 2\ndata: {"tick":2}\n\n'


def test_background_tasks_run_after_the_response(responses_example: ModuleType) -> None:
    http = make_client(responses_example.app)
    answer = http.post("/register", json={"email": "a@b.c"})
    assert (answer.status_code, answer.json()) == (201, {"registered": "a@b.c"})
    assert responses_example.sent_emails[-1] == "a@b.c"
    assert http.post("/register", json={"mail": "typo"}).status_code == 422


# ============================================================================ middleware.md
def test_middleware_order_and_headers() -> None:
    example = load("middleware.py")
    http = make_client(example.app)
    answer = http.get("/api/report", headers={"x-api-key": "secret", "accept-encoding": "gzip"})
    assert answer.status_code == 200
    assert example.calls == [
        "timing: before", "tagger: process_request", "api key: ok", "router middleware",
        "route middleware", "handler", "tagger: process_response", "timing: after", "asgi: response start",
    ]
    assert answer.headers["content-encoding"] == "gzip"  # the bundled GZip middleware
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["server"] == "docs-example"
    assert answer.headers["x-tag"] == "tagged" and "x-process-time" in answer.headers
    assert answer.json()["tag"] == "tagged"


def test_middleware_can_answer_instead_of_the_handler() -> None:
    example = load("middleware.py")
    refused = make_client(example.app).get("/api/report")
    assert (refused.status_code, refused.json()) == (401, {"detail": "Missing or wrong API key"})
    assert "handler" not in example.calls and "api key: refused" in example.calls
    assert refused.headers["x-tag"] == "tagged"  # app middleware still wraps the answer


def test_app_middleware_sees_404s_router_middleware_does_not() -> None:
    example = load("middleware.py")
    missing = make_client(example.app).get("/api/nowhere", headers={"x-api-key": "secret"})
    assert missing.status_code == 404 and missing.headers["x-tag"] == "tagged"
    assert "router middleware" not in example.calls and "tagger: process_response" in example.calls


def test_unhandled_error_comes_out_of_call_next(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()
    seen: list[str] = []

    @app.middleware
    async def watch(request: Any, response: Any, call_next: Any) -> Any:
        try:
            return await call_next()
        except RuntimeError as exc:
            seen.append(str(exc))
            raise

    @app.get("/boom")
    async def boom(request: Any, response: Any) -> None:
        raise RuntimeError("bug")

    with caplog.at_level(logging.ERROR, logger="nexios.error"):
        assert make_client(app).get("/boom").status_code == 500
    assert seen == ["bug"]


# ============================================================================ errors.md
def load_errors(monkeypatch: pytest.MonkeyPatch, debug: bool) -> ModuleType:
    monkeypatch.setenv("APP_DEBUG", "1" if debug else "0")
    return load("errors.py")


def test_http_exceptions_and_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    http = make_client(load_errors(monkeypatch, debug=False).app)
    assert http.get("/books/1").json() == {"id": 1, "title": "Dune"}
    assert http.get("/books/2").json() == {"detail": "No book 2", "path": "/books/2"}
    assert http.get("/nowhere").json() == {"detail": "Not Found", "path": "/nowhere"}
    page = http.get("/<script>", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<script>" not in page.text
    bought = http.post("/books/1/buy")
    assert (bought.status_code, bought.json()) == (409, {"detail": "Book 1 is out of stock", "book_id": 1})
    admin = http.get("/admin")
    assert (admin.status_code, admin.json()) == (401, {"detail": "Log in first"})
    assert admin.headers["www-authenticate"] == 'Bearer realm="api"'
    assert http.get("/teapot").json() == {"detail": {"reason": "short and stout"}}
    invalid = http.get("/search?limit=abc").json()
    assert invalid == {"message": "Invalid input", "errors": [
        {"loc": ["query", "limit"], "msg": "Input should be a valid integer", "type": "int_parsing"}]}


def test_production_500_is_fixed_and_logged(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    http = make_client(load_errors(monkeypatch, debug=False).app)
    with caplog.at_level(logging.ERROR, logger="nexios.error"):
        for accept in ("application/json", "text/html"):
            crash = http.get("/crash", headers={"accept": accept})
            request_id = crash.headers["x-request-id"]
            assert crash.status_code == 500
            assert crash.json() == {"detail": "Internal Server Error", "request_id": request_id}
            assert "hunter2" not in crash.text
        given = http.get("/crash", headers={"x-request-id": "abc-123"})
        assert given.headers["x-request-id"] == "abc-123"
        forged = http.get("/crash", headers={"x-request-id": "bad id\twith spaces"})
        assert forged.headers["x-request-id"] != "bad id\twith spaces"
    logged = [r for r in caplog.records if r.name == "nexios.error"]
    assert any("request_id=abc-123" in r.getMessage() and r.exc_info for r in logged)


def test_debug_500_shows_the_error(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    http = make_client(load_errors(monkeypatch, debug=True).app)
    with caplog.at_level(logging.CRITICAL, logger="nexios.error"):
        data = http.get("/crash").json()
        page = http.get("/crash", headers={"accept": "text/html"})
    assert data["error"] == "RuntimeError: database password is hunter2"
    assert any("raise RuntimeError" in line for line in data["traceback"])
    assert page.headers["content-type"] == "text/html; charset=utf-8" and "hunter2" in page.text


# ============================================================================ lifespan.md
def test_lifespan_order_and_state() -> None:
    example = load("lifespan.py")
    with TestClient(example.app) as http:
        assert http.get("/status").json() == {"db_connected": True, "greeting": "hello"}
        assert example.events == ["startup hook", "lifespan: connected"]
    assert example.events == ["startup hook", "lifespan: connected", "shutdown hook", "lifespan: disconnected"]


def test_failing_startup_raises_and_no_lifespan_means_no_state(caplog: pytest.LogCaptureFixture) -> None:
    example = load("lifespan.py")
    with caplog.at_level(logging.CRITICAL), pytest.raises(LifespanFailed, match="database unreachable"):
        with TestClient(example.broken_app):
            pass
    with caplog.at_level(logging.CRITICAL):
        assert TestClient(example.app).get("/status").status_code == 500  # no `with`: no start-up
    assert example.events == []


# ============================================================================ websockets.md
@pytest.fixture(scope="module")
def websockets_example() -> ModuleType:
    return load("websocket_chat.py")


def test_websocket_echo_and_disconnect(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "Echo: hi"
    with http.websocket_connect("/echo") as ws:
        ws.send_text("x" * (1024 * 1024 + 1))  # over the default 1 MiB
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 1009
    assert 1009 in websockets_example.left


def test_websocket_parameters_and_close_codes(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/rooms/lobby?nickname=ann") as ws:
        assert ws.receive_json() == {"room": "lobby", "nickname": "ann"}
        ws.send_json({"a": 1})
        assert ws.receive_json() == {"room": "lobby", "echo": {"a": 1}}
    with pytest.raises(WebSocketDenied) as denied:
        http.websocket_connect("/private")
    assert (denied.value.code, denied.value.status_code) == (1008, 403)
    with http.websocket_connect("/private?token=let-me-in") as ws:
        assert ws.receive_text() == "welcome"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert (closed.value.code, closed.value.reason) == (4000, "Bye for now")
    with pytest.raises(WebSocketDenied):
        http.websocket_connect("/no-such-socket")


def test_http_exception_in_a_websocket_handler_closes_with_1008() -> None:
    from nexios.dependencies import Query
    from nexios.exceptions import Forbidden

    app = get_application()

    def must_be_admin(role: str = Query("guest")) -> None:
        if role != "admin":
            raise Forbidden(detail="Admins only")

    @app.websocket("/admin")
    async def admin(ws: Any, _: None = Depend(must_be_admin)) -> None:
        await ws.accept()
        await ws.close()

    @app.websocket("/count")
    async def count(ws: Any, start: int = Query(0)) -> None:
        await ws.accept()
        await ws.close()

    http = TestClient(app)
    with pytest.raises(WebSocketDenied) as denied:
        http.websocket_connect("/admin")
    assert (denied.value.code, denied.value.reason, denied.value.status_code) == (1008, "Admins only", 403)
    with pytest.raises(WebSocketDenied) as invalid:
        http.websocket_connect("/count?start=abc")
    assert invalid.value.code == 1008
    http.websocket_connect("/admin?role=admin").close()


def test_websocket_route_limits(websockets_example: ModuleType) -> None:
    with TestClient(websockets_example.app).websocket_connect("/uploads") as ws:
        ws.send_bytes(b"x" * 1000)
        assert ws.receive_json() == {"received": 1000}
        ws.send_bytes(b"x" * (64 * 1024 + 1))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1009


def test_websocket_origin_policy(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/echo", headers={"origin": "https://app.example.com"}) as ws:
        ws.send_text("ok")
        assert ws.receive_text() == "Echo: ok"
    for origin in ("https://evil.example", "http://testserver"):
        with pytest.raises(WebSocketDenied) as denied:
            http.websocket_connect("/echo", headers={"origin": origin})
        assert (denied.value.code, denied.value.status_code) == (1008, 403)
    with http.websocket_connect("/widget", headers={"origin": "https://evil.example"}) as ws:
        assert ws.receive_text() == "hello from https://evil.example"
    same_origin = get_application()

    @same_origin.websocket("/ws")
    async def ws_handler(ws: Any) -> None:
        await ws.accept()
        await ws.close()

    TestClient(same_origin).websocket_connect("/ws", headers={"origin": "http://testserver"}).close()
    with pytest.raises(WebSocketDenied):
        TestClient(same_origin).websocket_connect("/ws", headers={"origin": "http://elsewhere"})


def test_consumer_groups_broadcast_to_their_room_only(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/chat/a") as one, http.websocket_connect("/chat/a") as two, \
            http.websocket_connect("/chat/b") as other:
        one.send_json({"user": "ann", "text": "hello"})
        assert one.receive_json() == two.receive_json() == {"from": "ann", "text": "hello"}
        with pytest.raises(TimeoutError):
            other.receive_json(timeout=0.2)
        two.send_json(["not", "a", "message"])
        with pytest.raises(WebSocketDisconnect) as closed:
            two.receive_json()
        assert closed.value.code == 1007


def test_function_middleware_runs_for_websockets_only_when_it_serves_them() -> None:
    # SessionMiddleware serves WebSockets too (handle_websocket); `note` is HTTP-only.
    from nexios.session.middleware import SessionMiddleware

    app = get_application(config={"secret_key": "k" * 32})
    app.add_middleware(SessionMiddleware())
    seen: list[str] = []

    @app.middleware
    async def note(request: Any, response: Any, call_next: Any) -> Any:
        seen.append(request.path)
        return await call_next()

    @app.websocket("/ws")
    async def handler(ws: Any) -> None:
        await ws.accept()
        await ws.send_json({"user": ws.user, "has_session": "session" in ws.scope})
        await ws.close()

    with TestClient(app) as http, http.websocket_connect("/ws") as ws:
        assert ws.receive_json() == {"user": None, "has_session": True}
    assert seen == []


def test_websocket_handler_error_closes_with_1011(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()

    @app.websocket("/bug")
    async def bug(ws: Any) -> None:
        await ws.accept()
        raise RuntimeError("bug")

    with caplog.at_level(logging.CRITICAL), TestClient(app).websocket_connect("/bug") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1011


# ============================================================================ migrating.md
def test_migrating_example_runs_as_written_for_upstream() -> None:
    # The page's own checks are in tests/docs/test_migrating_page.py.
    http = make_client(load("migrating.py").app)
    assert http.get("/users").headers["x-timed"] == "yes"
    assert http.get("/admin/users/3").json() == {"id": 3}


# ============================================================================ static-files.md
def test_static_files() -> None:
    http = make_client(load("static_files.py").app)
    css = http.get("/static/css/site.css")
    assert (css.status_code, css.headers["cache-control"]) == (200, "public, max-age=86400")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert http.get("/static/css/site.css", headers={"if-none-match": css.headers["etag"]}).status_code == 304
    assert http.get("/").text.startswith("<!doctype html>") and "Home page" in http.get("/").text
    redirect = http.get("/guide")
    assert (redirect.status_code, redirect.headers["location"]) == (307, "./guide/")
    assert "The guide" in http.get("/guide/").text
    missing = http.get("/nothing")
    assert missing.status_code == 404 and "Page not found" in missing.text
    assert http.get("/api/health").json() == {"status": "ok"}  # routes win over the "/" mount
    refused = http.post("/static/css/site.css")
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET, HEAD")


@pytest.mark.parametrize("path", ["/static/%2e%2e/static_files.py", "/static/..%2fstatic_files.py",
                                  "/static/%252e%252e/static_files.py", "/static/css%5c..%5c..%5cstatic_files.py",
                                  "/static/css/site.css%00", "/static//etc/passwd", "/static/nope.css"])
def test_static_files_refuse_traversal_with_a_plain_404(path: str) -> None:
    answer = make_client(load("static_files.py").app).get(path)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})


# ============================================================================ limits-and-security.md
def test_app_and_route_limits() -> None:
    example = load("request_limits.py")
    http = make_client(example.app)
    assert http.post("/notes", json={"text": "hi"}).json() == {"saved": 2}
    assert http.post("/notes", json={"title": "no text"}).status_code == 422
    too_big = http.post("/notes", json={"text": "x" * 70_000})
    assert (too_big.status_code, too_big.json()) == (413, {"detail": "Request body exceeds 65536 bytes"})
    assert http.get("/search?" + "&".join(f"f{i}=1" for i in range(50))).json() == {"fields": 50}
    assert http.get("/search?" + "&".join(f"f{i}=1" for i in range(51))).status_code == 400
    eleven_mib = http.post("/videos", files={"video": ("v.mp4", b"x" * (11 * 1024 * 1024), "video/mp4")})
    assert eleven_mib.json() == {"filename": "v.mp4", "size": 11 * 1024 * 1024}  # above the 10 MiB default
    two_files = http.post("/videos", files=[("video", ("a.mp4", b"a")), ("video", ("b.mp4", b"b"))])
    assert two_files.status_code == 413
    assert http.post("/videos", data={"video": "text"}).status_code == 400
    # The route's Limits came from APP_LIMITS.replace(...): the app's query limit still holds there.
    route = next(r for r in example.app.routes if r.path == "/videos")
    assert route.limits.max_query_fields == 50 and route.limits.max_files == 1


@pytest.mark.parametrize("body", [b'{"text": NaN}', b'{"text": Infinity}', b'{"text": 1e999}',
                                  b'{"text": "\\ud800"}', b'{"text": ' + b"1" * 4301 + b"}",
                                  b"[" * 1025 + b"]" * 1025, b'{"text": "\xff"}'])
def test_hostile_json_is_a_400(body: bytes) -> None:
    http = make_client(load("request_limits.py").app)
    answer = http.post("/notes", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400


def test_limits_defaults_and_replace() -> None:
    from nexios_core.limits import DEFAULT_LIMITS, MIB, Limits

    assert (DEFAULT_LIMITS.max_body_size, DEFAULT_LIMITS.max_multipart_size) == (MIB, 10 * MIB)
    assert (DEFAULT_LIMITS.max_form_parts, DEFAULT_LIMITS.max_files, DEFAULT_LIMITS.max_part_size) == (1000, 100, MIB)
    assert (DEFAULT_LIMITS.spool_threshold, DEFAULT_LIMITS.max_boundary_length) == (MIB, 70)
    assert (DEFAULT_LIMITS.max_form_fields, DEFAULT_LIMITS.max_query_fields) == (1000, 1000)
    assert (DEFAULT_LIMITS.max_json_depth, DEFAULT_LIMITS.max_websocket_message_size) == (1024, MIB)
    assert DEFAULT_LIMITS.max_ranges == 100
    assert Limits(max_files=1).max_body_size == MIB  # fields left out keep the defaults
    with pytest.raises(TypeError):
        Limits().replace(no_such_limit=1)


def test_limits_table_lists_every_limits_field() -> None:
    import dataclasses

    from nexios_core.limits import Limits

    page = (DOCS / "limits-and-security.md").read_text()
    for field in dataclasses.fields(Limits):
        assert f"| `{field.name}` |" in page, field.name


# ============================================================================ configuration.md
def test_configuration_example() -> None:
    example = load("configuration.py")
    assert example.default_page_size() == 20  # the last app created is this one
    http = make_client(example.app)
    assert http.get("/settings").json() == {"currency": "EUR", "page_size": 20, "debug": False, "unset_section": None}
    cors = http.get("/settings", headers={"origin": "https://app.example.com"})
    assert cors.headers["access-control-allow-origin"] == "https://app.example.com"
    refused = http.options("/settings", headers={"origin": "https://app.example.com",
                                                 "access-control-request-method": "DELETE"})
    assert refused.status_code == 400
    evil = http.get("/settings", headers={"host": "evil.test"})
    assert (evil.status_code, evil.json()) == (400, {"detail": "Invalid host header"})
    assert http.get("/settings", headers={"host": "shop.example.com"}).status_code == 200
    config = example.config
    assert config.payments is None and config.get("payments", "x") == "x"
    with pytest.raises(KeyError):
        config["payments"]


def test_bad_cors_config_stops_the_start_up(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application(config={"cors": {"allow_origins": ["*"], "allow_credentials": True}})
    app.add_middleware(CORSMiddleware())
    with caplog.at_level(logging.CRITICAL), pytest.raises(LifespanFailed, match="allow_credentials"):
        with TestClient(app):
            pass


# ============================================================================ dependencies.md
@pytest.fixture
def dependencies_example() -> ModuleType:
    return load("dependencies.py")


def test_dependencies_and_validation(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    items = http.get("/items?page=2&size=5", headers={"x-user": "ann"}).json()
    assert items == {"paging": {"page": 2, "size": 5}, "user": "ann"}
    assert http.get("/items").json()["user"] == "anonymous"
    too_many = http.get("/items?size=500").json()["detail"]
    assert too_many == [{"loc": ["query", "size"], "msg": "Input should be less than or equal to 100",
                         "type": "less_than_equal"}]


def test_sync_dependencies_run_inline_unless_blocking(dependencies_example: ModuleType) -> None:
    threads = make_client(dependencies_example.app).get("/threads").json()
    assert threads["inline"] == threads["handler"]
    assert threads["blocking"] != threads["handler"]


def test_generator_cleanup_after_the_response_and_on_errors(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    assert http.post("/orders", headers={"x-user": "ann"}).json() == {"committed_yet": False}
    assert dependencies_example.log == ["session: opened", "audit: ann placed an order", "handler: done",
                                        "session: committed", "session: closed"]
    dependencies_example.log.clear()
    failed = http.post("/orders/fail")
    assert (failed.status_code, failed.json()) == (409, {"detail": "Out of stock"})
    assert dependencies_example.log == ["session: opened", "session: rolled back (HTTPException)",
                                        "session: closed"]


def test_cleanup_runs_after_background_tasks() -> None:
    app = get_application()
    order: list[str] = []

    async def resource() -> Any:
        yield "r"
        order.append("cleanup")

    @app.get("/")
    async def handler(request: Any, response: Any, value: str = Depend(resource)) -> Any:
        response.add_background_task(order.append, "background task")
        return {}

    make_client(app).get("/")
    assert order == ["background task", "cleanup"]


def test_a_generator_may_replace_the_error() -> None:
    from nexios.exceptions import HTTPException

    app = get_application()

    async def translate() -> Any:
        try:
            yield None
        except LookupError:
            raise HTTPException(404, detail="No such thing") from None

    @app.get("/")
    async def handler(request: Any, response: Any, _: None = Depend(translate)) -> Any:
        raise LookupError("missing")

    answer = make_client(app).get("/")
    assert (answer.status_code, answer.json()) == (404, {"detail": "No such thing"})


def test_dependency_values_are_cached_per_request() -> None:
    app = get_application()
    calls: list[int] = []

    def counted() -> int:
        calls.append(1)
        return len(calls)

    def uses_counted(value: int = Depend(counted)) -> int:
        return value

    @app.get("/")
    async def handler(request: Any, response: Any, a: int = Depend(counted), b: int = Depend(uses_counted),
                      c: int = Depend(counted, use_cache=False)) -> Any:
        return {"a": a, "b": b, "c": c}

    assert make_client(app).get("/").json() == {"a": 1, "b": 1, "c": 2}
    assert make_client(app).get("/").json() == {"a": 3, "b": 3, "c": 4}


def test_app_scoped_dependency_lives_as_long_as_the_app(dependencies_example: ModuleType) -> None:
    with TestClient(dependencies_example.app) as http:
        assert dependencies_example.log == ["catalogue: loaded"]  # created at start-up
        first = http.get("/catalogue/1").json()
        second = http.get("/catalogue/2").json()
    assert (first["item"], second["item"]) == ("pear", "fig")
    assert first["instance"] == second["instance"]
    assert dependencies_example.log == ["catalogue: loaded", "catalogue: released"]


def test_typed_inputs(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    created = http.post("/products", json={"name": "pear", "price": 1})
    assert (created.status_code, created.json()) == (201, {"name": "pear", "price": 1.0, "tags": []})
    invalid = http.post("/products", json={"name": "", "price": 0}).json()["detail"]
    assert [e["loc"] for e in invalid] == [["body", "name"], ["body", "price"]]
    assert all("input" not in e for e in invalid)
    assert http.post("/products", data={"name": "x"}).status_code == 415
    assert http.post("/products", content=b"{bad", headers={"content-type": "application/json"}).status_code == 400
    http.cookies.set("session_id", "s1")
    updated = http.put("/products/3?dry_run=yes", json={"product": {"name": "a", "price": 2}, "note": "n"}).json()
    assert updated == {"id": 3, "product": {"name": "a", "price": 2.0, "tags": []}, "note": "n", "dry_run": True,
                       "session_id": "s1", "user_agent": "testclient"}
    unembedded = http.put("/products/3", json={"name": "a", "price": 2}).json()["detail"]
    assert [e["loc"] for e in unembedded] == [["body", "product"], ["body", "note"]]
    assert http.get("/reviews/5").json() == {"review_id": 5}
    assert http.get("/reviews/0").json()["detail"][0]["type"] == "greater_than_equal"
    assert http.get("/search?q=py&tag=a&tag=b").json() == {"q": "py", "tags": ["a", "b"], "limit": 10}
    assert http.get("/search").json() == {"detail": [{"loc": ["query", "q"], "msg": "Field required",
                                                      "type": "missing"}]}
    avatar = http.post("/avatars", data={"username": "ann"}, files={"avatar": ("a.png", b"png", "image/png")})
    assert avatar.json() == {"username": "ann", "filename": "a.png", "size": 3}
    not_a_file = http.post("/avatars", data={"username": "ann", "avatar": "text"}).json()
    assert not_a_file["detail"][0]["loc"] == ["form", "avatar"]
    assert http.get("/context").json() == {"path": "/context", "app_is_request_app": True}


def test_router_dependencies_check_every_route(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    assert http.get("/admin/stats").json()["detail"][0]["loc"] == ["header", "x-api-key"]
    assert http.get("/admin/stats", headers={"x-api-key": "nope"}).json() == {"detail": "Wrong API key"}
    assert http.get("/admin/stats", headers={"x-api-key": "secret"}).json() == {"orders": 3}


def test_overrides_replace_a_dependency_everywhere(dependencies_example: ModuleType) -> None:
    app = dependencies_example.app
    app.dependency_overrides[dependencies_example.current_user] = lambda: "test-user"
    try:
        http = make_client(app)
        assert http.get("/items").json()["user"] == "test-user"
        http.post("/orders")  # Auditor depends on current_user: overridden there too
        assert "audit: test-user placed an order" in dependencies_example.log
    finally:
        app.dependency_overrides.clear()
    assert make_client(app).get("/items").json()["user"] == "anonymous"


def test_mistakes_are_refused_at_registration(dependencies_example: ModuleType) -> None:
    from nexios_di import DependencyError

    with pytest.raises(DependencyError, match="parameter 'q': not a path parameter"):
        dependencies_example.register_ambiguous_handler()
    app = get_application()
    with pytest.raises(DependencyError, match="generator"):

        @app.get("/rows")
        def rows_handler(request: Any, response: Any) -> Any:  # a generator is not a handler
            yield None

    def reads_request(request: Any) -> None:
        return None

    with pytest.raises(DependencyError, match="cannot read the request"):

        @app.get("/app-scoped")
        async def handler(request: Any, response: Any, value: None = Depend(reads_request, scope="app")) -> None:
            return None


# ============================================================================ testing.md
_testing_example = load("testing.py")
# The example's own fixture and tests, run by pytest exactly as the page shows them.
client = _testing_example.client
test_example_ping = _testing_example.test_ping
test_example_buy_uses_the_fake_gateway = _testing_example.test_buy_uses_the_fake_gateway
test_example_a_crashing_handler_is_a_500 = _testing_example.test_a_crashing_handler_is_a_500
test_example_websocket_echo = _testing_example.test_websocket_echo
test_example_with_the_async_client = _testing_example.test_with_the_async_client


def test_testing_example_without_lifespan_has_no_state(caplog: pytest.LogCaptureFixture) -> None:
    fresh = load("testing.py")
    fresh.app.dependency_overrides[fresh.get_gateway] = fresh.FakeGateway
    with caplog.at_level(logging.CRITICAL):
        assert TestClient(fresh.app).post("/buy/coffee").status_code == 500  # app.state.prices unset
        with TestClient(fresh.app) as http:
            assert http.post("/buy/coffee").status_code == 201
            assert http.post("/buy/tea").json() == {"detail": "No product 'tea'"}


def test_testing_example_redirects_are_followed_by_default() -> None:
    app = get_application()

    @app.get("/target/")
    async def target(request: Any, response: Any) -> dict[str, bool]:
        return {"reached": True}

    assert TestClient(app).get("/target").json() == {"reached": True}


# ============================================================================ channels.md
def test_chat_rooms_reach_every_member_of_the_room_only() -> None:
    example = load("channels_chat.py")
    with TestClient(example.app) as http:
        with http.websocket_connect("/chat/a") as one, http.websocket_connect("/chat/a") as two, \
                http.websocket_connect("/chat/b") as other:
            for session, room in ((one, "a"), (two, "a"), (other, "b")):
                assert session.receive_json()["joined"] == room
            assert http.get("/rooms/a").json() == {"members": 2}
            one.send_json({"user": "ann", "text": "hi"})
            assert one.receive_json() == two.receive_json() == {"from": "ann", "text": "hi"}
            assert http.post("/rooms/b/announce", json={"text": "b only"}).json() == {"status": "group_send"}
            assert other.receive_json() == {"from": "system", "text": "b only"}
            assert http.post("/rooms/empty/announce", json={"text": "?"}).json() == {"status": "no_such_group"}
            one.send_json({"no": "text"})
            with pytest.raises(WebSocketDisconnect) as closed:
                one.receive_json()
            assert closed.value.code == 1007
        assert http.get("/rooms/a").json() == {"members": 0}  # members leave when they disconnect


def test_notifications_through_channel_box() -> None:
    example = load("channels_chat.py")
    with TestClient(example.app) as http, http.websocket_connect("/notifications") as ws:
        assert ws.receive_json() == {"subscribed": "notifications"}
        sent = http.post("/notify", json={"level": "info"})
        assert sent.json() == {"status": "group_send", "history": [{"level": "info"}]}
        assert ws.receive_json() == {"level": "info"}


def test_the_transport_fans_a_message_out_to_subscribers() -> None:
    example = load("channels_transport.py")
    with TestClient(example.app) as http:
        assert http.get("/prices").json() == {"coffee": 3}
        assert http.delete("/prices/coffee").json() == {"told": 1}
        assert http.get("/prices").json() == {}


# ============================================================================ rate-limiting.md
def test_login_allows_five_attempts_a_minute() -> None:
    example = load("rate_limits.py")
    http = TestClient(example.app)
    answers = [http.post("/login") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0].headers["ratelimit-limit"] == "5"  # the route's limit: closer than 100/minute
    assert answers[5].headers["ratelimit-remaining"] == "0" and int(answers[5].headers["retry-after"]) >= 1


def test_search_allows_a_burst_of_ten_per_api_key() -> None:
    example = load("rate_limits.py")
    http = TestClient(example.app)
    burst = [http.get("/search", headers={"X-API-Key": "demo-key"}) for _ in range(11)]
    assert [a.status_code for a in burst] == [200] * 10 + [429]
    assert burst[10].headers["retry-after"] == "1"  # one token a second
    assert http.get("/search", headers={"X-API-Key": "another-key"}).status_code == 200


def test_every_request_counts_against_the_app_wide_limit_except_health_checks() -> None:
    example = load("rate_limits.py")
    http = TestClient(example.app)
    assert all(http.get("/health").status_code == 200 for _ in range(150))
    answers = [http.get("/missing", headers={"X-API-Key": "demo-key"}) for _ in range(101)]
    assert answers[0].headers["ratelimit-policy"] == "100;w=60"
    assert [a.status_code for a in answers] == [404] * 100 + [429]
    assert http.get("/missing").status_code == 404  # anonymous: counted by address, separately


# ============================================================================ the pages themselves
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _anchors(page: Path) -> set[str]:
    anchors = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            anchors.add(slug)
    return anchors


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    for target in _LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: broken link {target}"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{page.name}: no heading #{anchor} in {resolved.name}"


def test_every_page_is_linked_from_the_index() -> None:
    linked = {(DOCS / target.partition("#")[0]).resolve() for target in _LINK.findall((DOCS / "index.md").read_text())}
    for page in _pages():
        if page.name != "index.md":
            assert page.resolve() in linked, f"docs/index.md does not link {page.name}"
    assert (ROOT / "bench" / "README.md").resolve() in linked


@pytest.mark.parametrize("name", GUIDE_PAGES)
def test_python_blocks_are_excerpts_of_tested_examples(name: str) -> None:
    sources = [p.read_text() for p in [*EXAMPLES.glob("*.py"), *(ROOT / "examples").glob("*.py")]]
    for block in _FENCE.findall((DOCS / name).read_text()):
        assert any(block in source for source in sources), f"{name}: this block is in no example file:\n{block}"


def test_every_example_file_is_exercised() -> None:
    on_disk = {path.name for path in EXAMPLES.glob("*.py")}
    assert on_disk == KNOWN_EXAMPLES, "add the new example to KNOWN_EXAMPLES and test it"


def test_each_example_file_is_loaded_by_a_test() -> None:
    source = Path(__file__).read_text()
    for name in KNOWN_EXAMPLES:
        assert f'load("{name}")' in source, f"no test loads {name}"


def test_example_names_do_not_shadow_importable_modules() -> None:
    import importlib.util as util

    for path in EXAMPLES.glob("*.py"):
        assert util.find_spec(path.stem) is None, f"docs/examples/{path.name} would shadow a module"
