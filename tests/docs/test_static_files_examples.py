"""The examples of ``docs/static-files.md`` do what the page says they do."""

from __future__ import annotations

import pytest

from tests.support.doc_examples import load, make_client


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
