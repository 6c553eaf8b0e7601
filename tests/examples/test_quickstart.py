"""The README's demo app (examples/quickstart.py) answers as the README says."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from nexios.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"


@pytest.fixture(scope="module")
def quickstart() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quickstart_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_user_42_is_john_doe_as_the_readme_promises(quickstart: ModuleType) -> None:
    with TestClient(quickstart.app) as client:
        answer = client.get("/users/42")
    assert answer.status_code == 200
    assert answer.json()["user_id"] == 42
    assert answer.json()["name"] == "John Doe"
    assert answer.headers["x-process-time"].endswith("ms")  # the timing middleware ran


def test_unknown_user_is_a_json_404(quickstart: ModuleType) -> None:
    with TestClient(quickstart.app) as client:
        answer = client.get("/users/7")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "No user 7"}


def test_posted_json_is_echoed(quickstart: ModuleType) -> None:
    with TestClient(quickstart.app) as client:
        answer = client.post("/api/data", json={"a": [1, 2]})
    assert answer.json() == {"status": "success", "data": {"a": [1, 2]}}


def test_router_with_prefix_lists_users_and_url_for_finds_them(quickstart: ModuleType) -> None:
    with TestClient(quickstart.app) as client:
        listing = client.get("/api/users/")
        detail = client.get(quickstart.app.url_for("user_detail", user_id=2))
    assert [user["user_id"] for user in listing.json()] == [1, 2, 42]
    assert detail.json()["name"] == "Alan Turing"


def test_chat_websocket_echoes(quickstart: ModuleType) -> None:
    with TestClient(quickstart.app) as client, client.websocket_connect("/chat") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "Echo: hi"
        ws.send_text("again")
        assert ws.receive_text() == "Echo: again"


def test_the_demo_documents_itself_at_docs(quickstart: ModuleType) -> None:
    with TestClient(quickstart.app) as client:
        page = client.get("/docs")
        document = client.get("/openapi.json").json()
        index = client.get("/").text
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert "href='/docs'" in index
    assert document["info"]["title"] == "Nexios quick start"
    assert set(document["paths"]) == {"/", "/users/{user_id}", "/api/data", "/api/users/", "/api/users/{user_id}"}
    assert document["paths"]["/users/{user_id}"]["get"]["responses"]["404"]["description"] == "No user has this id"
