"""StaticFiles mounted in a NexiosApp: the mount path reaches it and the root stays a boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexios import get_application
from nexios.staticfiles import StaticFiles
from nexios.testclient import TestClient


@pytest.fixture
def site(tmp_path: Path) -> Path:
    public = tmp_path / "static"
    public.mkdir()
    (public / "app.css").write_text("body { color: red }")
    (public / "docs").mkdir()
    (public / "docs" / "index.html").write_text("<h1>docs</h1>")
    private = tmp_path / "static_private"
    private.mkdir()
    (private / "secret.txt").write_text("do not serve")
    return public


def make_client(site: Path) -> TestClient:
    app = get_application()
    app.register(StaticFiles(site, html=True), prefix="/static")

    @app.get("/")
    async def home(request, response):  # type: ignore[no-untyped-def]
        return {"home": True}

    return TestClient(app)


def test_mounted_static_files_are_served_with_validators(site: Path) -> None:
    with make_client(site) as client:
        css = client.get("/static/app.css")
        assert css.status_code == 200
        assert css.text == "body { color: red }"
        assert css.headers["content-type"].startswith("text/css")
        etag = css.headers["etag"]
        assert client.get("/static/app.css", headers={"if-none-match": etag}).status_code == 304
        ranged = client.get("/static/app.css", headers={"range": "bytes=0-3"})
        assert ranged.status_code == 206
        assert ranged.text == "body"
        assert client.get("/static/docs/").text == "<h1>docs</h1>"
        assert client.get("/").json() == {"home": True}


@pytest.mark.parametrize(
    "path",
    [
        "/static/../static_private/secret.txt",
        "/static/%2e%2e/static_private/secret.txt",
        "/static/..%2fstatic_private/secret.txt",
        "/static/docs/../../static_private/secret.txt",
        "/static/%00app.css",
    ],
)
def test_traversal_out_of_the_mounted_root_is_refused(site: Path, path: str) -> None:
    with make_client(site) as client:
        answer = client.get(path)
    assert answer.status_code in (400, 404)
    assert "do not serve" not in answer.text
