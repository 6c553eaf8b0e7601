"""A whole upstream-style app (tests/compat/apps/blog_app.py) served by real uvicorn from its
import string, used the way its clients would: a browser with its session and CSRF token, an
API client with a JWT, a cross-origin front end, and two chat sockets."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import anyio
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

pytestmark = pytest.mark.anyio


@pytest.fixture
def base(live_server: Callable[..., str]) -> str:
    return live_server("tests.compat.apps.blog_app:app", log_config=None, log_level="warning")


async def test_a_browser_gets_its_page_session_and_csrf_protection(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as browser:
        page = await browser.get("/")
        assert page.status_code == 200 and "<h1>visit 1</h1>" in page.text
        assert page.headers["x-powered-by"] == "Nexios" and float(page.headers["x-time"]) >= 0
        assert "blog_session" in browser.cookies and "csrftoken" in browser.cookies
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        assert "<h1>visit 2</h1>" in (await browser.get("/")).text

        refused = await browser.post("/comment", data={"text": "hi"})
        assert refused.status_code == 403
        posted = await browser.post("/comment", data={"text": "hi", "csrf_token": token.group(1)})
        assert posted.json() == {"ok": True, "visits": 2, "has_token": True}
        by_header = await browser.post("/comment", headers={"X-CSRFToken": token.group(1)})
        assert by_header.status_code == 200

        css = await browser.get("/static/css/style.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert (await browser.get("/static/../blog_app.py")).status_code == 404
        assert (await browser.get("/ready")).json() == {"ready": True, "url": "/api/posts/1"}


async def test_an_api_client_with_a_jwt_and_a_cross_origin_front_end(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/api/posts")).json()[0] == {"id": 1, "title": "Hello"}
        missing = await client.get("/api/posts/99")
        assert missing.status_code == 404 and missing.json() == {"error": "not found", "path": "/api/posts/99"}

        assert (await client.post("/api/posts", json={"title": "x"})).status_code == 401  # exempt from CSRF
        token = (await client.post("/login", data={"username": "ada"})).json()["token"]
        created = await client.post("/api/posts", json={"title": "New"}, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201 and created.json()["by"] == "ada"

        front = {"Origin": "https://front.example"}
        allowed = await client.get("/api/posts", headers=front)
        assert allowed.headers["access-control-allow-origin"] == "https://front.example"
        assert allowed.headers["access-control-allow-credentials"] == "true"
        blocked = await client.get("/api/posts", headers={"Origin": "https://old.example"})  # blacklisted
        assert "access-control-allow-origin" not in blocked.headers
        preflight = await client.options("/api/posts", headers={
            **front, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert preflight.status_code == 200 and "authorization" in preflight.headers["access-control-allow-headers"]


async def test_the_chat_consumer_broadcasts_to_its_group_with_jwt_auth_installed(base: str) -> None:
    url = base.replace("http", "ws") + "/ws/chat"
    async with connect(url) as first, connect(url) as second:
        await anyio.sleep(0.3)  # each joins the group right after its handshake; let both have
        await first.send(json.dumps({"text": "hi"}))
        assert json.loads(await first.recv()) == json.loads(await second.recv()) == {"text": "hi"}
    with pytest.raises(InvalidStatus):  # an unknown path is refused, not a crash
        async with connect(base.replace("http", "ws") + "/ws/nowhere"):
            pass  # pragma: no cover - refused
