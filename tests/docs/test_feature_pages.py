"""The guide pages of templates, class-based views, events, pagination, WebSocket middleware and
sync handlers tell the truth: each Python block is copied verbatim from an example under
``docs/examples/features/``, and each example behaves as its page says."""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from nexios.testclient import TestClient
from nexios_core.testclient import WebSocketDenied
from tests.support.live_server import run_live_server

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "docs" / "examples" / "features"
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES = {
    "templates.md": 4, "views.md": 2, "events.md": 6, "pagination.md": 4, "websocket-middleware.md": 4,
    "sync-handlers.md": 2,
}
_loads = 0


def load(filename: str) -> ModuleType:
    """Import ``docs/examples/features/<filename>`` as a fresh module."""
    global _loads
    _loads += 1
    name = f"feature_example_{filename[:-3]}_{_loads}"
    spec = importlib.util.spec_from_file_location(name, FEATURES / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("page", "at_least"), PAGES.items())
def test_python_blocks_are_excerpts_of_the_feature_examples(page: str, at_least: int) -> None:
    sources = [path.read_text() for path in FEATURES.glob("*.py")]
    blocks = FENCE.findall((ROOT / "docs" / page).read_text())
    assert len(blocks) >= at_least
    for block in blocks:
        assert any(block in source for source in sources), f"{page}: this block is in no example file:\n{block}"


def test_html_blocks_of_the_templates_page_are_excerpts_of_its_templates() -> None:
    templates = [path.read_text() for path in (FEATURES / "templates").glob("*.html")]
    blocks = re.findall(r"^```html\n(.*?)^```", (ROOT / "docs" / "templates.md").read_text(), re.MULTILINE | re.DOTALL)
    assert blocks
    for block in blocks:
        assert any(block in template for template in templates), f"this block is in no template:\n{block}"


def test_every_feature_example_is_exercised() -> None:
    source = Path(__file__).read_text()
    for path in FEATURES.glob("*.py"):
        assert f'load("{path.name}")' in source, f"no test loads {path.name}"


# ============================================================================ templates.md
def test_templates_example_renders_pages_a_csrf_form_and_a_stream() -> None:
    example = load("templates_app.py")
    with TestClient(example.app, follow_redirects=False) as client:
        page = client.get("/books")
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "<title>The Library</title>" in page.text and "<h1>Our Books</h1>" in page.text
        assert '<a href="/books/1">Dune</a>' in page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post("/books", data={"title": "<b>Ulysses</b>"}).status_code == 403  # no token
        added = client.post("/books", data={"title": "<b>Ulysses</b>", "csrf_token": token})
        assert (added.status_code, added.headers["location"]) == (303, "/books")
        listing = client.get("/books").text
        assert "&lt;b&gt;Ulysses&lt;/b&gt;" in listing and "<b>Ulysses</b>" not in listing
        assert "<title>Emma | The Library</title>" in client.get("/books/2").text
        catalogue = client.get("/catalogue")
        assert "content-length" not in catalogue.headers and catalogue.text.count("<li>") == 10_000


# ============================================================================ views.md
def test_views_example() -> None:
    example = load("views_app.py")
    with TestClient(example.app) as client:
        assert client.get("/notes/1").json() == {"id": 1, "text": "Buy milk"}
        assert client.put("/notes/2", json={"text": "Call Ada"}).json() == {"id": 2, "text": "Call Ada"}
        assert client.put("/notes/2", json={}).status_code == 422
        assert client.get("/notes/9").json() == {"error": "no such note"}
        assert client.post("/notes/1").headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
        assert client.delete("/notes/2").status_code == 401
        assert client.delete("/notes/2", headers={"x-api-key": "admin-key"}).status_code == 204
    assert example.audit_log[-2:] == ["DELETE /notes/2", "DELETE /notes/2"]  # class and method middleware
    operations = example.app.openapi()["paths"]["/notes/{note_id}"]
    assert operations["delete"]["summary"] == "Delete a note (administrators only)."


# ============================================================================ events.md
def test_events_example() -> None:
    example = load("events_app.py")
    assert example.paid == [41, 42]
    with TestClient(example.app, raise_server_exceptions=False) as client:
        assert example.audit_trail == ["started"]
        assert client.post("/users", json={"email": "ada@example.com"}).json() == {"created": True, "listeners": 3}
        assert example.sent_emails == ["ada@example.com"]
        refused = client.post("/users", json={"email": "bot@example.invalid"})
        assert refused.status_code == 422 and example.sent_emails == ["ada@example.com"]
        assert client.get("/crash").status_code == 500
        assert client.delete("/prices/coffee").json() == {"published_to": 1}
        assert example.cached_prices == {}
    assert example.audit_trail == ["started", "signup ada@example.com", "failed /crash: RuntimeError"]


# ============================================================================ pagination.md
def test_pagination_example() -> None:
    example = load("pagination_app.py")
    with TestClient(example.app) as client:
        page = client.get("/articles?page=2&page_size=10")
        body = page.json()
        assert body["items"][0] == {"id": 11, "title": "Article 11"} and len(body["items"]) == 10
        assert body["pagination"] == {
            "total_items": 95, "total_pages": 10, "page": 2, "page_size": 10,
            "links": {"first": "/articles?page=1&page_size=10", "last": "/articles?page=10&page_size=10",
                      "prev": "/articles?page=1&page_size=10", "next": "/articles?page=3&page_size=10"},
        }
        assert '</articles?page=3&page_size=10>; rel="next"' in page.headers["link"]
        assert client.get("/articles?page=abc").status_code == 400
        assert client.get("/typed-articles?page=abc").status_code == 422
        assert client.get("/typed-articles?page_size=1000").json()["pagination"]["page_size"] == 50
        assert client.get("/window?limit=1000").json()["pagination"]["limit"] == 25
        feed = client.get("/feed").json()
        following = client.get(feed["pagination"]["links"]["next"]).json()
        assert [item["id"] for item in following["items"]][:2] == [21, 22]
        forged = "eyJpZCI6ICIxIn0"  # {"id": "1"}: a str where value_type=int
        assert client.get(f"/feed?cursor={forged}").status_code == 400
    parameters = example.app.openapi()["paths"]["/typed-articles"]["get"]["parameters"]
    assert [(p["name"], p["schema"]["default"]) for p in parameters] == [("page", 1), ("page_size", 10)]


# ============================================================================ websocket-middleware.md
def test_websocket_layers_example_under_uvicorn() -> None:
    example = load("websocket_layers_app.py")
    with run_live_server(example.app, log_config=None, log_level="warning") as base_url:
        ws_url = base_url.replace("http", "ws")
        with pytest.raises(InvalidStatus, match="403"), connect(f"{ws_url}/private"):
            pass  # anonymous: refused before accept
        cookie = "; ".join(f"{k}={v}" for k, v in httpx.post(f"{base_url}/login", timeout=10).cookies.items())
        with connect(f"{ws_url}/private", additional_headers={"Cookie": cookie}) as private:
            assert private.recv(timeout=10) == '{"hello":"ada"}'
        with connect(f"{ws_url}/rooms/lobby", additional_headers={"Cookie": cookie}) as first, \
                connect(f"{ws_url}/rooms/lobby", additional_headers={"Cookie": cookie}) as second:
            first.send('{"text": "hi"}')
            assert second.recv(timeout=10) == '{"from":"ada","text":"hi"}'
    assert any(line.startswith("/private open") for line in example.connection_log)


def test_websocket_layers_example_refuses_anonymous_room_members() -> None:
    example = load("websocket_layers_app.py")
    with TestClient(example.app) as client, pytest.raises(WebSocketDenied), client.websocket_connect("/rooms/x"):
        pass


# ============================================================================ sync-handlers.md
def test_sync_example_runs_in_worker_threads() -> None:
    example = load("sync_app.py")
    seen: list[str] = []
    with TestClient(example.app) as client:
        example.database = _Recording(example.database, seen)
        assert client.get("/cities/Oslo").json() == {"name": "Oslo", "population": 700_000}
        assert client.get("/cities/Atlantis").status_code == 404
        assert client.get("/cities").json()["items"] == ["Lagos", "Oslo"]
    assert example.app.thread_pool_size == 8 and seen and threading.main_thread().name not in seen


class _Recording:
    def __init__(self, database: Any, seen: list[str]) -> None:
        self.database, self.seen = database, seen

    def execute(self, *args: Any) -> Any:
        self.seen.append(threading.current_thread().name)
        return self.database.execute(*args)
