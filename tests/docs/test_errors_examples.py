"""The examples of ``docs/errors.md`` do what the page says they do."""

from __future__ import annotations

import logging
from types import ModuleType

import pytest

from tests.support.doc_examples import load, make_client


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
