"""``examples/sessions_app.py`` runs as documented: a visit counter, a cart, login with a new
session id, logout; with the session in a signed cookie or in files."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import httpx
import pytest

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sessions_app.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sessions_app_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", ["signed_cookie", "file"])
async def test_example_app_keeps_a_session_across_requests(
    backend: str, client_for: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEXIOS_SESSION_BACKEND", backend)
    monkeypatch.chdir(tmp_path)  # the file backend writes ./sessions
    app = load_example().app
    async with client_for(app) as client:  # httpx's cookie jar plays the browser
        assert (await client.get("/")).json() == {"visits": 1, "user": None}
        assert (await client.get("/")).json() == {"visits": 2, "user": None}
        assert (await client.post("/cart", json={"item": "book"})).json() == {"cart": ["book"]}
        assert (await client.post("/cart", json={"item": "pen"})).json() == {"cart": ["book", "pen"]}
        assert (await client.post("/cart", json={"item": 3})).status_code == 400
        before = client.cookies["session_id"]
        assert (await client.post("/login", json={"user": "ada"})).json() == {"user": "ada"}
        assert client.cookies["session_id"] != before
        assert (await client.get("/")).json() == {"visits": 3, "user": "ada"}
        logout = await client.post("/logout")
        assert logout.json() == {"user": None}
        assert "session_id" not in client.cookies
        assert (await client.get("/")).json() == {"visits": 1, "user": None}
    if backend == "file":
        assert len(list((tmp_path / "sessions").glob("*.json"))) == 1
