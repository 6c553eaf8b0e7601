"""StaticFiles: serving, mount paths, html mode, and refusing every way out of the root."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from nexios_core.datastructures import Headers
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.staticfiles import MOUNT_PATH_SCOPE_KEY, StaticFiles, path_below_mount, safe_segments
from nexios_core.types import Message

pytestmark = pytest.mark.anyio

NOT_FOUND = b'{"detail":"Not Found"}'
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")


class Sent(NamedTuple):
    status: int
    headers: Headers
    body: bytes
    messages: list[Message]


async def call(app: Any, path: str, method: str = "GET", root_path: str = "",
               headers: dict[str, str] | None = None, scope_extra: dict[str, Any] | None = None) -> Sent:
    """Call the app with a hand-built scope: unlike an HTTP client, nothing normalises ``..`` away."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode("utf-8", "surrogatepass"),
        "root_path": root_path, "query_string": b"",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()],
        "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
    }
    scope.update(scope_extra or {})
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    assert messages[-1].get("more_body", False) is False
    return Sent(start["status"], Headers(raw=start["headers"]), body, messages)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """tmp/static (served) beside tmp/static_private and tmp/secret.txt (never served)."""
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "docs").mkdir()
    (static / "empty_dir").mkdir()
    (static / "hello.txt").write_bytes(b"hello static")
    (static / "css" / "site.css").write_bytes(b"body{}")
    (static / "docs" / "index.html").write_bytes(b"<h1>docs</h1>")
    (static / "index.html").write_bytes(b"<h1>home</h1>")
    private = tmp_path / "static_private"
    private.mkdir()
    (private / "secret.txt").write_bytes(b"TOP SECRET")
    (tmp_path / "secret.txt").write_bytes(b"TOP SECRET")
    return static


# ---------------------------------------------------------------------------- serving
async def test_file_below_mount_is_served_with_guessed_type(site: Path) -> None:
    sent = await call(StaticFiles(site), "/static/css/site.css", root_path="/static")
    assert (sent.status, sent.body) == (200, b"body{}")
    assert sent.headers["content-type"] == "text/css; charset=utf-8"
    assert "etag" in sent.headers and sent.headers["accept-ranges"] == "bytes"


async def test_path_without_root_path_is_taken_as_relative(site: Path) -> None:
    sent = await call(StaticFiles(site), "/hello.txt")
    assert (sent.status, sent.body) == (200, b"hello static")


async def test_nexios_mount_path_key_wins_over_path(site: Path) -> None:
    sent = await call(StaticFiles(site), "/assets/whatever", scope_extra={MOUNT_PATH_SCOPE_KEY: "/hello.txt"})
    assert (sent.status, sent.body) == (200, b"hello static")


def test_mount_path_rule() -> None:
    assert path_below_mount({"path": "/static/a.txt", "root_path": "/static"}) == "/a.txt"
    assert path_below_mount({"path": "/static/a.txt", "root_path": "/static/"}) == "/a.txt"
    assert path_below_mount({"path": "/staticky/a.txt", "root_path": "/static"}) == "/staticky/a.txt"
    assert path_below_mount({"path": "/a.txt", "root_path": "/static"}) == "/a.txt"
    assert path_below_mount({"path": "/x", MOUNT_PATH_SCOPE_KEY: "/b.txt"}) == "/b.txt"


async def test_served_through_httpx_with_root_path(site: Path) -> None:
    transport = httpx.ASGITransport(app=StaticFiles(site), root_path="/static")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ok = await client.get("/static/hello.txt")
        ranged = await client.get("/static/hello.txt", headers={"range": "bytes=-6"})
        cached = await client.get("/static/hello.txt", headers={"if-none-match": ok.headers["etag"]})
    assert ok.text == "hello static"
    assert (ranged.status_code, ranged.content) == (206, b"static")
    assert (cached.status_code, cached.content) == (304, b"")


async def test_missing_file_is_404_json(site: Path) -> None:
    sent = await call(StaticFiles(site), "/nope.txt")
    assert (sent.status, sent.body) == (404, NOT_FOUND)


async def test_directory_is_404_without_html_mode(site: Path) -> None:
    assert (await call(StaticFiles(site), "/docs/")).status == 404
    assert (await call(StaticFiles(site), "/docs")).status == 404


async def test_file_with_trailing_slash_is_404(site: Path) -> None:
    assert (await call(StaticFiles(site), "/hello.txt/")).status == 404


async def test_head_sends_headers_without_body(site: Path) -> None:
    sent = await call(StaticFiles(site), "/hello.txt", method="HEAD")
    assert (sent.status, sent.body, sent.headers["content-length"]) == (200, b"", "12")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_get_405_with_allow(site: Path, method: str) -> None:
    sent = await call(StaticFiles(site), "/hello.txt", method=method)
    assert sent.status == 405
    assert sent.headers["allow"] == "GET, HEAD"


async def test_cache_max_age_sets_cache_control(site: Path) -> None:
    sent = await call(StaticFiles(site, cache_max_age=3600), "/hello.txt")
    assert sent.headers["cache-control"] == "public, max-age=3600"
    assert "cache-control" not in (await call(StaticFiles(site), "/hello.txt")).headers


async def test_websocket_scope_is_closed(site: Path) -> None:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    await StaticFiles(site)({"type": "websocket", "path": "/hello.txt"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000}]


def test_missing_directory_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured):
        StaticFiles(tmp_path / "absent")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ImproperlyConfigured):
        StaticFiles(tmp_path / "file")


async def test_missing_directory_without_check_dir_answers_404(tmp_path: Path) -> None:
    sent = await call(StaticFiles(tmp_path / "absent", check_dir=False), "/x.txt")
    assert (sent.status, sent.body) == (404, NOT_FOUND)


def test_negative_cache_max_age_is_a_configuration_error(site: Path) -> None:
    with pytest.raises(ImproperlyConfigured):
        StaticFiles(site, cache_max_age=-1)


# ---------------------------------------------------------------------------- html mode
async def test_html_mode_serves_index_for_directory_with_slash(site: Path) -> None:
    sent = await call(StaticFiles(site, html=True), "/static/docs/", root_path="/static")
    assert (sent.status, sent.body) == (200, b"<h1>docs</h1>")
    assert sent.headers["content-type"] == "text/html; charset=utf-8"


async def test_html_mode_serves_root_index(site: Path) -> None:
    sent = await call(StaticFiles(site, html=True), "/static/", root_path="/static")
    assert (sent.status, sent.body) == (200, b"<h1>home</h1>")


async def test_html_mode_redirects_directory_without_slash_relatively(site: Path) -> None:
    sent = await call(StaticFiles(site, html=True), "/static/docs", root_path="/static")
    assert sent.status == 307
    assert sent.headers["location"] == "./docs/"


async def test_html_mode_redirect_keeps_query_string(site: Path) -> None:
    sent = await call(StaticFiles(site, html=True), "/docs", scope_extra={"query_string": b"v=2"})
    assert sent.headers["location"] == "./docs/?v=2"


async def test_html_mode_redirects_mount_root_without_slash(site: Path) -> None:
    sent = await call(StaticFiles(site, html=True), "/static", root_path="/static")
    assert (sent.status, sent.headers["location"]) == (307, "./static/")


async def test_redirect_location_for_colon_name_cannot_become_a_scheme(site: Path) -> None:
    odd = site / "javascript:alert(1)"
    odd.mkdir()
    (odd / "index.html").write_bytes(b"x")
    sent = await call(StaticFiles(site, html=True), "/javascript:alert(1)")
    assert sent.status == 307
    assert sent.headers["location"] == "./javascript%3Aalert%281%29/"


async def test_html_mode_directory_without_index_is_404(site: Path) -> None:
    assert (await call(StaticFiles(site, html=True), "/empty_dir")).status == 404
    assert (await call(StaticFiles(site, html=True), "/empty_dir/")).status == 404


async def test_html_mode_serves_404_page_for_misses(site: Path) -> None:
    (site / "404.html").write_bytes(b"<h1>lost</h1>")
    sent = await call(StaticFiles(site, html=True), "/nope", headers={"range": "bytes=0-3"})
    assert (sent.status, sent.body) == (404, b"<h1>lost</h1>")
    assert sent.headers["content-type"] == "text/html; charset=utf-8"


async def test_html_mode_without_404_page_answers_json_404(site: Path) -> None:
    sent = await call(StaticFiles(site, html=True), "/nope")
    assert (sent.status, sent.body) == (404, NOT_FOUND)


# ---------------------------------------------------------------------------- hostile paths
async def assert_refused(app: StaticFiles, path: str, root_path: str = "") -> None:
    sent = await call(app, path, root_path=root_path)
    assert (sent.status, sent.body) == (404, NOT_FOUND), path
    assert b"SECRET" not in sent.body


async def test_dotdot_into_sibling_directory_with_shared_prefix_is_refused(site: Path) -> None:
    await assert_refused(StaticFiles(site), "/static/../static_private/secret.txt", root_path="/static")


async def test_dotdot_to_parent_directory_is_refused(site: Path) -> None:
    await assert_refused(StaticFiles(site), "/../secret.txt")
    await assert_refused(StaticFiles(site), "/css/../../secret.txt")


@pytest.mark.parametrize(
    "path",
    ["/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
     "/.%2e/secret.txt", "/%252e%252e/secret.txt", "/%25252e%25252e%25252fsecret.txt"],
)
async def test_percent_encoded_traversal_is_refused(site: Path, path: str) -> None:
    await assert_refused(StaticFiles(site), path)


@pytest.mark.parametrize("path", ["/..\\secret.txt", "/css\\..\\..\\secret.txt", "/..%5csecret.txt"])
async def test_backslash_traversal_is_refused(site: Path, path: str) -> None:
    await assert_refused(StaticFiles(site), path)


@pytest.mark.parametrize("path", ["/hello.txt\x00.png", "/hello.txt%00.png", "/\x00"])
async def test_nul_byte_in_path_is_refused(site: Path, path: str) -> None:
    await assert_refused(StaticFiles(site), path)


async def test_absolute_path_via_double_slash_is_refused(site: Path, tmp_path: Path) -> None:
    await assert_refused(StaticFiles(site), "/" + str(tmp_path / "secret.txt"))
    await assert_refused(StaticFiles(site), "//etc/passwd")


async def test_single_dot_and_empty_segments_are_refused(site: Path) -> None:
    await assert_refused(StaticFiles(site), "/./hello.txt")
    await assert_refused(StaticFiles(site), "/css//site.css")
    await assert_refused(StaticFiles(site), "/.../secret.txt")


def test_safe_segments_splits_clean_paths_only() -> None:
    assert safe_segments("/css/site.css") == ["css", "site.css"]
    assert safe_segments("/docs/") == ["docs"]
    assert safe_segments("/") == [] and safe_segments("") == []
    assert safe_segments("/a/%2e%2e/b") is None


@needs_symlinks
async def test_symlink_into_sibling_directory_with_shared_prefix_is_refused(site: Path) -> None:
    # A string prefix test would pass ".../static_private" as being under ".../static".
    (site / "leak").symlink_to(site.parent / "static_private")
    await assert_refused(StaticFiles(site), "/leak/secret.txt")


@needs_symlinks
async def test_symlinked_file_pointing_outside_root_is_refused(site: Path) -> None:
    (site / "secret.txt").symlink_to(site.parent / "secret.txt")
    await assert_refused(StaticFiles(site), "/secret.txt")


@needs_symlinks
async def test_symlinked_index_html_pointing_outside_root_is_refused(site: Path) -> None:
    outside = site / "outdocs"
    outside.mkdir()
    (outside / "index.html").symlink_to(site.parent / "secret.txt")
    await assert_refused(StaticFiles(site, html=True), "/outdocs/")


@needs_symlinks
async def test_symlink_outside_root_is_served_when_follow_symlinks(site: Path) -> None:
    (site / "shared.txt").symlink_to(site.parent / "secret.txt")
    sent = await call(StaticFiles(site, follow_symlinks=True), "/shared.txt")
    assert (sent.status, sent.body) == (200, b"TOP SECRET")


@needs_symlinks
async def test_follow_symlinks_still_refuses_dotdot(site: Path) -> None:
    await assert_refused(StaticFiles(site, follow_symlinks=True), "/../secret.txt")
    await assert_refused(StaticFiles(site, follow_symlinks=True), "/%2e%2e/secret.txt")


@needs_symlinks
async def test_symlink_staying_inside_root_is_served(site: Path) -> None:
    (site / "alias.txt").symlink_to(site / "hello.txt")
    sent = await call(StaticFiles(site), "/alias.txt")
    assert (sent.status, sent.body) == (200, b"hello static")
    assert sent.headers["content-type"] == "text/plain; charset=utf-8"


@needs_symlinks
async def test_symlinked_root_directory_serves_its_files(site: Path, tmp_path: Path) -> None:
    (tmp_path / "public").symlink_to(site)
    sent = await call(StaticFiles(tmp_path / "public"), "/hello.txt")
    assert (sent.status, sent.body) == (200, b"hello static")
    await assert_refused(StaticFiles(tmp_path / "public"), "/../secret.txt")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo (POSIX)")
async def test_fifo_in_root_is_refused_rather_than_blocking(site: Path) -> None:
    os.mkfifo(site / "pipe")
    await assert_refused(StaticFiles(site), "/pipe")


async def test_refusal_in_html_mode_serves_the_404_page_not_the_target(site: Path) -> None:
    (site / "404.html").write_bytes(b"<h1>lost</h1>")
    sent = await call(StaticFiles(site, html=True), "/static/../static_private/secret.txt", root_path="/static")
    assert (sent.status, sent.body) == (404, b"<h1>lost</h1>")
