"""``examples/auth_app.py`` runs as documented: session login with CSRF, a protected page, a
CSRF-protected form and a JWT API."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import httpx
import pytest

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "auth_app.py"
HTML = {"accept": "text/html"}


def load_example() -> ModuleType:
    # A fresh module per test: the example keeps its notes in a module-level list.
    spec = importlib.util.spec_from_file_location("auth_app_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hidden_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None, page
    return match.group(1)


async def browser_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    token = hidden_token((await client.get("/login")).text)
    return await client.post("/login", data={"csrf_token": token, "username": username,
                                             "password": password})


async def test_browser_flow_login_protected_page_form_and_logout(client_for: Client) -> None:
    async with client_for(load_example().app) as client:
        anonymous = await client.get("/", headers=HTML)
        assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"

        no_token = await client.post("/login", data={"username": "ada", "password": "lovelace"})
        assert no_token.status_code == 403

        wrong = await browser_login(client, "ada", "wrong")
        assert wrong.status_code == 401
        before = client.cookies.get("session_id")
        logged_in = await browser_login(client, "ada", "lovelace")
        assert logged_in.status_code == 303
        assert client.cookies["session_id"] != before

        home = await client.get("/", headers=HTML)
        assert "Hello, Ada Lovelace" in home.text
        forged = await client.post("/notes", data={"text": "forged"})
        assert forged.status_code == 403
        added = await client.post("/notes", data={"text": "<b>hi</b>",
                                                  "csrf_token": hidden_token(home.text)})
        assert added.status_code == 303
        home = await client.get("/", headers=HTML)
        assert "Ada Lovelace: &lt;b&gt;hi&lt;/b&gt;" in home.text

        out = await client.post("/logout", data={"csrf_token": hidden_token(home.text)})
        assert out.status_code == 303
        assert (await client.get("/", headers=HTML)).status_code == 303


async def test_jwt_api_with_scopes(client_for: Client) -> None:
    async with client_for(load_example().app) as client:
        refused = await client.post("/api/token", json={"username": "ada", "password": "nope"})
        assert refused.status_code == 401
        ada = (await client.post("/api/token", json={"username": "ada", "password": "lovelace"})).json()
        grace = (await client.post("/api/token", json={"username": "grace", "password": "hopper"})).json()
        as_ada = {"authorization": f"Bearer {ada['access_token']}"}
        as_grace = {"authorization": f"Bearer {grace['access_token']}"}

        assert (await client.get("/api/me", headers=as_ada)).json() == {"username": "ada", "scopes": ["notes"]}
        assert (await client.get("/api/admin", headers=as_ada)).status_code == 403
        assert (await client.get("/api/admin", headers=as_grace)).json() == {"notes": 0}
        anonymous = await client.get("/api/me")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"


async def test_a_browser_session_does_not_open_the_api(client_for: Client) -> None:
    async with client_for(load_example().app) as client:
        await browser_login(client, "grace", "hopper")
        response = await client.get("/api/admin")
    assert response.status_code == 401  # the API takes bearer tokens only: CSRF-exempt safely
