"""The sample app ``examples/guestbook.py`` works as its docstring says: pages with a CSRF-protected
form, a session that remembers the visitor, a paginated list, a class-based JSON API with an API
key, a live WebSocket feed, and ``python3 scripts/dev.py example guestbook`` serving it."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from nexios.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def guestbook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guestbook_example", ROOT / "examples" / "guestbook.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["guestbook_example"] = module
    spec.loader.exec_module(module)
    return module


def csrf_token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def sign(client: TestClient, name: str, message: str) -> Any:
    token = csrf_token(client.get("/").text)
    return client.post("/sign", data={"name": name, "message": message, "csrf_token": token})


def test_signing_through_the_page(guestbook: ModuleType) -> None:
    with TestClient(guestbook.app, follow_redirects=False) as client:
        assert "Be the first to sign." in client.get("/").text
        assert client.post("/sign", data={"name": "Ada", "message": "hi"}).status_code == 403  # no CSRF token
        signed = sign(client, "Ada", "Lovely <script>alert(1)</script>")
        assert (signed.status_code, signed.headers["location"]) == (303, "/")
        page = client.get("/").text
        assert "Thank you, Ada!" in page and 'value="Ada"' in page  # the session remembers
        assert "&lt;script&gt;" in page and "<script>alert" not in page
        assert "Thank you" not in client.get("/").text  # shown once
        refused = sign(client, "", "x" * 501)
        assert refused.status_code == 400 and "up to 500" in refused.text


def test_the_list_is_paginated_newest_first(guestbook: ModuleType) -> None:
    with TestClient(guestbook.app, follow_redirects=False) as client:
        for number in range(1, 8):
            sign(client, f"Guest {number}", f"message {number}")
        first = client.get("/").text
        assert first.index('id="entry-7"') < first.index('id="entry-3"') and 'id="entry-2"' not in first
        assert "Page 1 of 2" in first and 'rel="next" href="/?page=2&amp;page_size=5"' in first
        second = client.get("/?page=2").text
        assert 'id="entry-2"' in second and 'id="entry-1"' in second and 'id="entry-7"' not in second
        assert client.get("/?page=9").status_code == 400
        assert client.get("/?page_size=1000").text.count('class="entry"') == 7  # capped at 50


def test_the_class_based_api(guestbook: ModuleType) -> None:
    with TestClient(guestbook.app) as client:
        entry = {"name": "Grace", "message": "From the API"}
        assert client.post("/api/entries", json=entry).status_code == 401
        created = client.post("/api/entries", json=entry, headers={"x-api-key": "demo-key"})
        assert created.status_code == 201 and created.json()["name"] == "Grace"
        assert client.post("/api/entries", json={"name": "", "message": "x"},
                           headers={"x-api-key": "demo-key"}).status_code == 422
        listing = client.get("/api/entries?page_size=1").json()
        assert listing["items"][0]["name"] == "Grace" and listing["pagination"]["page_size"] == 1
        entry_id = created.json()["id"]
        assert client.get(f"/api/entries/{entry_id}").json()["message"] == "From the API"
        assert client.put(f"/api/entries/{entry_id}").status_code == 405
        assert client.delete(f"/api/entries/{entry_id}", headers={"x-api-key": "demo-key"}).status_code == 204
        assert client.get(f"/api/entries/{entry_id}").status_code == 404
    paths = guestbook.app.openapi()["paths"]
    assert sorted(paths["/api/entries"]) == ["get", "post"]
    assert [p["name"] for p in paths["/api/entries"]["get"]["parameters"]] == ["page", "page_size"]


def test_the_live_feed_hears_new_entries(guestbook: ModuleType) -> None:
    with TestClient(guestbook.app, follow_redirects=False) as client:
        sign(client, "Ada", "first")
        with client.websocket_connect("/live") as live:
            assert live.receive_json() == {"hello": "Ada"}  # the session reaches the WebSocket
            sign(client, "Ada", "second")
            assert live.receive_json()["signed"]["message"] == "second"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_dev_command_serves_it() -> None:
    listing = subprocess.run([sys.executable, "scripts/run_example.py"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
    assert listing.returncode == 2 and "guestbook" in listing.stderr and "quickstart" in listing.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "scripts/run_example.py", "guestbook", "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert answer.status_code == 200 and "<h1>Guestbook</h1>" in answer.text
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert server.stdout is not None
    first_line = server.stdout.read().decode().splitlines()[0]
    assert first_line == f"[example] serving examples/guestbook.py on http://127.0.0.1:{port} (Ctrl-C to stop)"
