"""The examples of ``docs/responses.md`` do what the page says they do."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.doc_examples import load, make_client


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
