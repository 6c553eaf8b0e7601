"""FileResponse: 404s, validators, conditional GETs, byte ranges, HEAD and download names."""

from __future__ import annotations

import email.utils
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from nexios_core.background import BackgroundTask
from nexios_core.datastructures import Headers
from nexios_core.exceptions import RangeNotSatisfiable
from nexios_core.fileresponse import FileResponse, content_disposition_header, parse_byte_ranges
from nexios_core.limits import LIMITS_SCOPE_KEY, Limits
from nexios_core.responses import Response
from nexios_core.types import Message

pytestmark = pytest.mark.anyio

MTIME = 1_700_000_000  # a fixed modification time keeps Last-Modified predictable
DIGITS = bytes(range(48, 58))  # b"0123456789"


class Sent(NamedTuple):
    status: int
    headers: Headers
    body: bytes
    messages: list[Message]


async def call(app: Any, method: str = "GET", headers: dict[str, str] | None = None,
               scope_extra: dict[str, Any] | None = None) -> Sent:
    """Call an ASGI app directly and collect what it sends."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": "/", "raw_path": b"/", "root_path": "", "query_string": b"",
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
    assert start["type"] == "http.response.start"
    bodies = messages[1:]
    assert all(m["type"] == "http.response.body" for m in bodies)
    assert bodies and bodies[-1].get("more_body", False) is False, "the body must be finished"
    assert all(m.get("more_body", False) for m in bodies[:-1])
    return Sent(start["status"], Headers(raw=start["headers"]), b"".join(m["body"] for m in bodies), messages)


def make_file(tmp_path: Path, name: str = "data.bin", content: bytes = DIGITS * 100) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    os.utime(path, (MTIME, MTIME))
    return path


def multipart_parts(sent: Sent) -> list[tuple[Headers, bytes]]:
    """Split a multipart/byteranges body into (part headers, part body)."""
    content_type = sent.headers["content-type"]
    match = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", content_type)
    assert match, content_type
    boundary = match.group(1).encode()
    body = sent.body
    assert body.endswith(b"--" + boundary + b"--\r\n")
    parts = []
    for chunk in body[: -len(b"--" + boundary + b"--\r\n")].split(b"--" + boundary + b"\r\n")[1:]:
        head, _, data = chunk.partition(b"\r\n\r\n")
        assert data.endswith(b"\r\n")
        raw = [tuple(line.split(b": ", 1)) for line in head.split(b"\r\n")]
        parts.append((Headers(raw=[(k.lower(), v) for k, v in raw]), data[:-2]))
    return parts


# ---------------------------------------------------------------------------- whole file
async def test_whole_file_is_sent_with_length_type_and_validators(tmp_path: Path) -> None:
    path = make_file(tmp_path, "notes.txt", b"hello file")
    sent = await call(FileResponse(path))
    assert sent.status == 200
    assert sent.body == b"hello file"
    assert sent.headers["content-type"] == "text/plain; charset=utf-8"
    assert sent.headers["content-length"] == "10"
    assert sent.headers["accept-ranges"] == "bytes"
    assert sent.headers["last-modified"] == email.utils.formatdate(MTIME, usegmt=True)
    assert re.fullmatch(r'"[0-9a-f]+-a"', sent.headers["etag"])


async def test_media_type_is_guessed_from_filename_before_path(tmp_path: Path) -> None:
    path = make_file(tmp_path, "blob")
    sent = await call(FileResponse(path, filename="report.pdf"))
    assert sent.headers["content-type"] == "application/pdf"


async def test_unknown_extension_is_octet_stream_and_explicit_media_type_wins(tmp_path: Path) -> None:
    path = make_file(tmp_path, "blob.unknownext")
    assert (await call(FileResponse(path))).headers["content-type"] == "application/octet-stream"
    sent = await call(FileResponse(path, media_type="image/png"))
    assert sent.headers["content-type"] == "image/png"


async def test_file_is_sent_in_chunks_with_more_body(tmp_path: Path) -> None:
    path = make_file(tmp_path, content=b"abcdefghij")
    sent = await call(FileResponse(path, chunk_size=4))
    chunks = [m["body"] for m in sent.messages[1:] if m["body"]]
    assert chunks == [b"abcd", b"efgh", b"ij"]
    assert sent.body == b"abcdefghij"


async def test_empty_file_is_sent_as_empty_200(tmp_path: Path) -> None:
    path = make_file(tmp_path, content=b"")
    sent = await call(FileResponse(path))
    assert (sent.status, sent.body, sent.headers["content-length"]) == (200, b"", "0")


async def test_large_file_round_trips_through_httpx(tmp_path: Path) -> None:
    content = os.urandom(300_000)
    path = make_file(tmp_path, content=content)
    transport = httpx.ASGITransport(app=FileResponse(path))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        whole = await client.get("/")
        part = await client.get("/", headers={"range": "bytes=100000-199999"})
    assert whole.content == content
    assert part.status_code == 206
    assert part.content == content[100000:200000]


async def test_non_positive_chunk_size_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        FileResponse(tmp_path / "x", chunk_size=0)


# ---------------------------------------------------------------------------- missing files
async def test_missing_file_answers_404_json(tmp_path: Path) -> None:
    sent = await call(FileResponse(tmp_path / "nope.txt"))
    assert sent.status == 404
    assert sent.headers["content-type"] == "application/json"
    assert sent.body == b'{"detail":"Not Found"}'


async def test_directory_answers_404(tmp_path: Path) -> None:
    sent = await call(FileResponse(tmp_path))
    assert sent.status == 404
    assert sent.body == b'{"detail":"Not Found"}'


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo (POSIX)")
async def test_fifo_is_refused_rather_than_blocking_on_open(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert (await call(FileResponse(fifo))).status == 404


async def test_nul_byte_in_path_answers_404_not_500(tmp_path: Path) -> None:
    assert (await call(FileResponse(str(tmp_path / "a\x00b")))).status == 404


async def test_file_created_after_construction_is_found_at_call_time(tmp_path: Path) -> None:
    response = FileResponse(tmp_path / "later.txt")
    make_file(tmp_path, "later.txt", b"made later")
    sent = await call(response)
    assert (sent.status, sent.body) == (200, b"made later")


async def test_missing_file_on_head_has_no_body(tmp_path: Path) -> None:
    sent = await call(FileResponse(tmp_path / "nope"), method="HEAD")
    assert sent.status == 404
    assert sent.body == b""


# ---------------------------------------------------------------------------- Content-Disposition
async def test_ascii_filename_is_quoted_plainly(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    sent = await call(FileResponse(path, filename="report.csv", content_disposition_type="attachment"))
    assert sent.headers["content-disposition"] == 'attachment; filename="report.csv"'


async def test_no_filename_means_no_content_disposition(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)))
    assert "content-disposition" not in sent.headers


async def test_non_ascii_filename_uses_rfc5987_with_ascii_fallback(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    sent = await call(FileResponse(path, filename="naïve résumé.pdf", content_disposition_type="attachment"))
    assert sent.headers["content-disposition"] == (
        "attachment; filename=\"naive resume.pdf\"; filename*=utf-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"
    )
    assert sent.headers["content-type"] == "application/pdf"


def test_cjk_filename_gets_placeholder_fallback_and_exact_encoded_name() -> None:
    value = content_disposition_header("inline", "文件.txt")
    assert value == "inline; filename=\"__.txt\"; filename*=utf-8''%E6%96%87%E4%BB%B6.txt"


def test_filename_with_quote_or_crlf_cannot_break_out_of_the_header() -> None:
    value = content_disposition_header("attachment", 'a"b\r\nSet-Cookie: x=1.txt')
    assert "\r" not in value and "\n" not in value
    assert value.startswith('attachment; filename="a_b__Set-Cookie: x=1.txt"; filename*=utf-8\'\'a%22b%0D%0A')


async def test_download_builder_sets_attachment_and_keeps_cookies(tmp_path: Path) -> None:
    path = make_file(tmp_path, "data.csv", b"a,b\n")
    response = Response().download(path, filename="export.csv")
    response.set_cookie("seen", "1")
    sent = await call(response)
    assert sent.status == 200
    assert sent.body == b"a,b\n"
    assert sent.headers["content-disposition"] == 'attachment; filename="export.csv"'
    assert sent.headers["content-type"] == "text/csv; charset=utf-8"
    assert "seen=1" in sent.headers["set-cookie"]


# ---------------------------------------------------------------------------- validators and 304
async def test_etag_is_stable_and_changes_when_file_changes(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    first = (await call(FileResponse(path))).headers["etag"]
    assert (await call(FileResponse(path))).headers["etag"] == first
    os.utime(path, (MTIME + 5, MTIME + 5))
    assert (await call(FileResponse(path))).headers["etag"] != first


async def test_matching_if_none_match_answers_304_without_body(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    response = FileResponse(path)
    response.set_cookie("kept", "yes")
    etag = (await call(FileResponse(path))).headers["etag"]
    sent = await call(response, headers={"if-none-match": etag})
    assert sent.status == 304
    assert sent.body == b""
    assert sent.headers["etag"] == etag
    assert "content-length" not in sent.headers
    assert "content-type" not in sent.headers
    assert "kept=yes" in sent.headers["set-cookie"]


async def test_if_none_match_uses_weak_comparison_and_lists(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    etag = (await call(FileResponse(path))).headers["etag"]
    weak = await call(FileResponse(path), headers={"if-none-match": f"W/{etag}"})
    listed = await call(FileResponse(path), headers={"if-none-match": f'"other", W/"x,y", {etag}'})
    star = await call(FileResponse(path), headers={"if-none-match": "*"})
    other = await call(FileResponse(path), headers={"if-none-match": '"other"'})
    assert (weak.status, listed.status, star.status, other.status) == (304, 304, 304, 200)
    assert other.body == DIGITS * 100


async def test_if_modified_since_answers_304_only_when_not_modified(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    same = email.utils.formatdate(MTIME, usegmt=True)
    older = email.utils.formatdate(MTIME - 60, usegmt=True)
    assert (await call(FileResponse(path), headers={"if-modified-since": same})).status == 304
    assert (await call(FileResponse(path), headers={"if-modified-since": older})).status == 200
    garbage = await call(FileResponse(path), headers={"if-modified-since": "not a date"})
    assert garbage.status == 200


async def test_if_none_match_takes_precedence_over_if_modified_since(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    future = email.utils.formatdate(MTIME + 3600, usegmt=True)
    sent = await call(FileResponse(path), headers={"if-none-match": '"stale"', "if-modified-since": future})
    assert sent.status == 200


async def test_caller_set_etag_is_sent_once_and_used_for_matching(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    sent = await call(FileResponse(path, headers={"etag": '"v7"'}), headers={"if-none-match": '"v7"'})
    assert sent.status == 304
    assert sent.headers.getlist("etag") == ['"v7"']


async def test_head_sends_headers_only(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    sent = await call(FileResponse(path), method="HEAD")
    assert sent.status == 200
    assert sent.body == b""
    assert sent.headers["content-length"] == "1000"
    assert "etag" in sent.headers


async def test_head_ignores_range(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), method="HEAD", headers={"range": "bytes=0-9"})
    assert (sent.status, sent.body, sent.headers["content-length"]) == (200, b"", "1000")


# ---------------------------------------------------------------------------- single ranges
@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=-500", 500, 999),  # suffix
        ("bytes=500-", 500, 999),  # open-ended
        ("bytes=900-5000", 900, 999),  # last position beyond EOF is clamped
        ("bytes=-5000", 0, 999),  # suffix longer than the file
        ("bytes=999-999", 999, 999),
        ("BYTES = 10-19", 10, 19),  # the unit is case-insensitive, whitespace allowed
        ("bytes=0-" + "9" * 5000, 0, 999),  # a 5000-digit number must not raise
    ],
)
async def test_single_range_answers_206(tmp_path: Path, range_header: str, first: int, last: int) -> None:
    content = bytes(i % 251 for i in range(1000))
    sent = await call(FileResponse(make_file(tmp_path, content=content)), headers={"range": range_header})
    assert sent.status == 206
    assert sent.headers["content-range"] == f"bytes {first}-{last}/1000"
    assert sent.headers["content-length"] == str(last - first + 1)
    assert sent.body == content[first : last + 1]


@pytest.mark.parametrize(
    "range_header",
    ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=" + "9" * 5000 + "-"],
)
async def test_unsatisfiable_range_answers_416_with_size(tmp_path: Path, range_header: str) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": range_header})
    assert sent.status == 416
    assert sent.headers["content-range"] == "bytes */1000"
    assert sent.headers["content-type"] == "application/json"


async def test_any_range_of_an_empty_file_is_unsatisfiable(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path, content=b"")), headers={"range": "bytes=0-"})
    assert (sent.status, sent.headers["content-range"]) == (416, "bytes */0")


@pytest.mark.parametrize(
    "range_header",
    ["bytes=abc", "bytes=5-2", "items=0-5", "bytes=", "bytes=-", "bytes=1-2-3", "bytes 0-5",
     "bytes=\u0661-\u0662", "bytes=0-5,x"],
)
async def test_malformed_range_is_ignored_and_whole_file_sent(tmp_path: Path, range_header: str) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": range_header.encode().decode("latin-1")})
    assert sent.status == 200
    assert sent.body == DIGITS * 100


# ---------------------------------------------------------------------------- several ranges
async def test_several_ranges_answer_multipart_byteranges(tmp_path: Path) -> None:
    content = bytes(i % 251 for i in range(1000))
    sent = await call(FileResponse(make_file(tmp_path, "f.txt", content)), headers={"range": "bytes=0-9, 20-29,-5"})
    assert sent.status == 206
    assert sent.headers["content-length"] == str(len(sent.body))
    parts = multipart_parts(sent)
    assert [p[0]["content-range"] for p in parts] == ["bytes 0-9/1000", "bytes 20-29/1000", "bytes 995-999/1000"]
    assert [p[1] for p in parts] == [content[0:10], content[20:30], content[995:]]
    assert all(p[0]["content-type"] == "text/plain; charset=utf-8" for p in parts)


async def test_multipart_boundary_is_random_per_response(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    first = await call(FileResponse(path), headers={"range": "bytes=0-1,5-6"})
    second = await call(FileResponse(path), headers={"range": "bytes=0-1,5-6"})
    assert first.headers["content-type"] != second.headers["content-type"]


async def test_overlapping_ranges_merge_into_one(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": "bytes=5-14,0-9"})
    assert (sent.status, sent.headers["content-range"]) == (206, "bytes 0-14/1000")


async def test_adjacent_ranges_merge_into_one(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": "bytes=10-19,0-9"})
    assert (sent.status, sent.headers["content-range"]) == (206, "bytes 0-19/1000")


async def test_repeated_whole_file_ranges_send_the_file_once(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": ",".join(["bytes=0-"] + ["0-"] * 99)})
    assert sent.status == 206
    assert sent.body == DIGITS * 100


async def test_unordered_ranges_are_sent_in_file_order(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": "bytes=50-59,0-4"})
    assert [p[0]["content-range"] for p in multipart_parts(sent)] == ["bytes 0-4/1000", "bytes 50-59/1000"]


async def test_unsatisfiable_ranges_are_dropped_when_others_remain(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": "bytes=0-1,5000-6000"})
    assert (sent.status, sent.headers["content-range"]) == (206, "bytes 0-1/1000")


def ranges_header(count: int) -> str:
    return "bytes=" + ",".join(f"{2 * i}-{2 * i}" for i in range(count))


async def test_exactly_max_ranges_is_served(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": ranges_header(100)})
    assert sent.status == 206
    assert len(multipart_parts(sent)) == 100


async def test_more_than_max_ranges_answers_416(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": ranges_header(101)})
    assert sent.status == 416
    assert sent.headers["content-range"] == "bytes */1000"


async def test_more_than_max_ranges_answers_416_even_if_they_would_merge(tmp_path: Path) -> None:
    sent = await call(FileResponse(make_file(tmp_path)), headers={"range": "bytes=" + ",".join(["0-"] * 101)})
    assert sent.status == 416


async def test_max_ranges_comes_from_the_limits_in_the_scope(tmp_path: Path) -> None:
    extra = {LIMITS_SCOPE_KEY: Limits(max_ranges=2)}
    path = make_file(tmp_path)
    assert (await call(FileResponse(path), headers={"range": ranges_header(2)}, scope_extra=extra)).status == 206
    assert (await call(FileResponse(path), headers={"range": ranges_header(3)}, scope_extra=extra)).status == 416


def test_parse_byte_ranges_reports_merged_ranges_and_refusals() -> None:
    assert parse_byte_ranges("bytes=0-0,1-1,3-4", 10, 100) == [(0, 1), (3, 4)]
    assert parse_byte_ranges("bytes=junk", 10, 100) is None
    with pytest.raises(RangeNotSatisfiable):
        parse_byte_ranges("bytes=10-", 10, 100)
    with pytest.raises(RangeNotSatisfiable):
        parse_byte_ranges("bytes=0-0,2-2", 10, 1)


# ---------------------------------------------------------------------------- If-Range
async def test_if_range_with_current_etag_allows_partial_content(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    etag = (await call(FileResponse(path))).headers["etag"]
    sent = await call(FileResponse(path), headers={"range": "bytes=0-9", "if-range": etag})
    assert sent.status == 206


@pytest.mark.parametrize("if_range", ['"stale"', "W/{etag}", "garbage date"])
async def test_if_range_that_does_not_match_sends_whole_file(tmp_path: Path, if_range: str) -> None:
    path = make_file(tmp_path)
    etag = (await call(FileResponse(path))).headers["etag"]
    sent = await call(FileResponse(path), headers={"range": "bytes=0-9", "if-range": if_range.format(etag=etag)})
    assert (sent.status, len(sent.body)) == (200, 1000)


async def test_if_range_with_last_modified_date(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    same = email.utils.formatdate(MTIME, usegmt=True)
    older = email.utils.formatdate(MTIME - 1, usegmt=True)
    assert (await call(FileResponse(path), headers={"range": "bytes=0-9", "if-range": same})).status == 206
    assert (await call(FileResponse(path), headers={"range": "bytes=0-9", "if-range": older})).status == 200


# ---------------------------------------------------------------------------- status and extras
async def test_non_200_status_disables_ranges_and_304(tmp_path: Path) -> None:
    path = make_file(tmp_path, "404.html", b"<h1>missing</h1>")
    etag = (await call(FileResponse(path))).headers["etag"]
    ranged = await call(FileResponse(path, status_code=404), headers={"range": "bytes=0-3"})
    conditional = await call(FileResponse(path, status_code=404), headers={"if-none-match": etag})
    assert (ranged.status, ranged.body) == (404, b"<h1>missing</h1>")
    assert conditional.status == 404


async def test_status_set_on_the_builder_is_used_for_the_whole_file(tmp_path: Path) -> None:
    path = make_file(tmp_path, content=b"xyz")
    sent = await call(Response().status(203).file(path))
    assert (sent.status, sent.body) == (203, b"xyz")


async def test_cookies_travel_on_206_and_416(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    for range_header, status in (("bytes=0-1", 206), ("bytes=0-1,4-5", 206), ("bytes=9999-", 416)):
        response = FileResponse(path)
        response.set_cookie("c", "v")
        sent = await call(response, headers={"range": range_header})
        assert sent.status == status
        assert sent.headers["set-cookie"].startswith("c=v")


async def test_background_task_runs_after_the_body_is_sent(tmp_path: Path) -> None:
    path = make_file(tmp_path)
    events: list[str] = []

    async def after() -> None:
        events.append("background")

    messages: list[Message] = []

    async def send(message: Message) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            events.append("body done")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    response = FileResponse(path, background=BackgroundTask(after))
    await response({"type": "http", "method": "GET", "headers": []}, receive, send)
    assert events == ["body done", "background"]


async def test_file_response_takes_the_file_name_second(tmp_path: Path) -> None:
    # Upstream Nexios's order: FileResponse(path, filename).
    path = make_file(tmp_path)
    sent = await call(FileResponse(path, "report.txt"))
    assert sent.headers["content-disposition"] == 'inline; filename="report.txt"'
