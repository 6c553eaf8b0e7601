"""Sessions and authentication on WebSocket connections, under real uvicorn: the session cookie of
an HTTP login reaches ``websocket.session`` and ``websocket.user``; ``@auth`` on a WebSocket route
refuses the handshake (close 1008 before accept: uvicorn answers 403) before the handler runs;
session changes made during a connection are saved with a server-side backend and dropped, with
a warning, with signed cookies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from nexios import MakeConfig, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth, login
from nexios.auth.backends.session import SessionAuthBackend
from nexios.session.middleware import SessionMiddleware

pytestmark = pytest.mark.anyio

LiveServer = Callable[..., str]
USERS = {1: SimpleUser("ada", ["chat"], id=1), 2: SimpleUser("bob", [], id=2)}


def chat_app(session_options: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    app = get_application(config=MakeConfig({"secret_key": "k" * 32}))
    app.add_middleware(SessionMiddleware(**(session_options or {})))
    app.add_middleware(AuthenticationMiddleware(backend=SessionAuthBackend(USERS.get)))
    handled: list[str] = []

    @app.post("/login/{user_id:int}")
    async def log_in(request: Any, response: Any, user_id: int) -> Any:
        await login(request, USERS[user_id])
        request.session["theme"] = "dark"
        return {"ok": True}

    @app.get("/theme")
    async def theme(request: Any, response: Any) -> Any:
        return {"theme": request.session.get("theme")}

    @app.websocket("/chat")
    @auth(scopes=["chat"])
    async def chat(websocket: Any) -> None:
        handled.append(websocket.user.display_name)
        await websocket.accept()
        await websocket.send_json({"user": websocket.user.display_name, "theme": websocket.session.get("theme"),
                                   "scopes": sorted(websocket.auth.scopes)})
        websocket.session["theme"] = await websocket.receive_text()
        await websocket.close()

    @auth(scopes=["chat"])  # above the route decorator: it must protect the route all the same
    @app.websocket("/chat-above")
    async def chat_above(websocket: Any) -> None:
        handled.append(websocket.user.display_name)
        await websocket.accept()
        await websocket.send_json({"user": websocket.user.display_name})
        await websocket.close()

    @app.websocket("/lobby")
    async def lobby(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_json({"authenticated": bool(websocket.user), "theme": websocket.session.get("theme")})
        await websocket.close()

    return app, handled


def session_cookie(base_url: str, user_id: int) -> str:
    answer = httpx.post(f"{base_url}/login/{user_id}", timeout=10)
    assert answer.status_code == 200
    return "; ".join(f"{name}={value}" for name, value in answer.cookies.items())


async def test_the_login_cookie_gives_the_websocket_its_session_and_user(live_server: LiveServer) -> None:
    app, handled = chat_app()
    base_url = live_server(app, log_config=None, log_level="warning")
    cookie = session_cookie(base_url, 1)
    async with connect(base_url.replace("http", "ws") + "/chat", additional_headers={"Cookie": cookie}) as ws:
        assert (await ws.recv()) == '{"user":"ada","theme":"dark","scopes":["chat"]}'
        await ws.send("light")
    async with connect(base_url.replace("http", "ws") + "/chat-above", additional_headers={"Cookie": cookie}) as ws:
        assert (await ws.recv()) == '{"user":"ada"}'
    assert handled == ["ada", "ada"]


@pytest.mark.parametrize("path", ["/chat", "/chat-above"])
@pytest.mark.parametrize("user_id", [None, 2], ids=["anonymous", "without-the-scope"])
async def test_auth_refuses_the_handshake_before_the_handler_runs(
    live_server: LiveServer, user_id: int | None, path: str
) -> None:
    app, handled = chat_app()
    base_url = live_server(app, log_config=None, log_level="warning")
    headers = {"Cookie": session_cookie(base_url, user_id)} if user_id else {}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(base_url.replace("http", "ws") + path, additional_headers=headers):
            pass  # pragma: no cover - refused
    assert refused.value.response.status_code == 403 and handled == []
    async with connect(base_url.replace("http", "ws") + "/lobby", additional_headers=headers) as ws:
        assert (await ws.recv()) == '{"authenticated":%s,"theme":%s}' % (
            ("true", '"dark"') if user_id else ("false", "null"))


async def test_changes_during_a_connection_are_saved_with_a_server_side_backend(
    live_server: LiveServer, tmp_path: Path
) -> None:
    app, _ = chat_app({"backend": "file", "backend_options": {"directory": str(tmp_path)}})
    base_url = live_server(app, log_config=None, log_level="warning")
    cookie = session_cookie(base_url, 1)
    async with connect(base_url.replace("http", "ws") + "/chat", additional_headers={"Cookie": cookie}) as ws:
        await ws.recv()
        await ws.send("solarized")
        await ws.wait_closed()
    answer = httpx.get(f"{base_url}/theme", headers={"Cookie": cookie}, timeout=10)
    assert answer.json() == {"theme": "solarized"}


async def test_changes_to_a_signed_cookie_session_are_dropped_with_a_warning(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = chat_app()
    base_url = live_server(app, log_config=None, log_level="warning")
    cookie = session_cookie(base_url, 1)
    with caplog.at_level(logging.WARNING, logger="nexios.session"):
        async with connect(base_url.replace("http", "ws") + "/chat", additional_headers={"Cookie": cookie}) as ws:
            await ws.recv()
            await ws.send("solarized")
            await ws.wait_closed()
    assert httpx.get(f"{base_url}/theme", headers={"Cookie": cookie}, timeout=10).json() == {"theme": "dark"}
    assert "cannot receive a new session cookie after the handshake" in caplog.text


async def test_a_jwt_backend_authenticates_websockets_by_their_bearer_header(live_server: LiveServer) -> None:
    # The JWT backend used to read request.bearer_token, which a WebSocket lacks: every
    # handshake on an app with JWT authentication failed with 1011 (HTTP 500 under uvicorn).
    import time

    from nexios.auth.backends.jwt import JWTAuthBackend, create_jwt

    secret = "jwt-websocket-test-secret-key-0123456789"
    app = get_application(config=MakeConfig({"secret_key": secret, "jwt_algorithms": ["HS256"]}))
    app.add_middleware(AuthenticationMiddleware(backend=JWTAuthBackend(
        authenticate_func=lambda sub, **claims: SimpleUser(sub, ["chat"]))))

    @app.websocket("/whoami")
    async def whoami(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_json({"user": websocket.user.display_name if websocket.user.is_authenticated else None})

    @app.websocket("/private")
    @auth(scopes=["chat"])
    async def private(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text("welcome")

    base_url = live_server(app, log_config=None, log_level="warning").replace("http", "ws")
    token = create_jwt({"sub": "ada", "exp": int(time.time()) + 60}, secret)
    bearer = {"Authorization": f"Bearer {token}"}
    async with connect(base_url + "/whoami") as ws:
        assert (await ws.recv()) == '{"user":null}'
    async with connect(base_url + "/whoami", additional_headers=bearer) as ws:
        assert (await ws.recv()) == '{"user":"ada"}'
    async with connect(base_url + "/private", additional_headers=bearer) as ws:
        assert (await ws.recv()) == "welcome"
    for headers in ({}, {"Authorization": f"Bearer {token}x"}, {"Authorization": f"Basic {token}"}):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(base_url + "/private", additional_headers=headers):
                pass  # pragma: no cover - refused
        assert refused.value.response.status_code == 403
