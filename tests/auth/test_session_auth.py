"""Session authentication, login and logout: the user id lives in the session, and the session
id changes at login and logout (session fixation). Uses the in-test session from conftest.py so
auth is tested without nexios-session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios import get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth, login, logout
from nexios.auth.backends.session import SESSION_USER_KEY, SessionAuthBackend
from nexios.http import Request, Response
from nexios_core.exceptions import ImproperlyConfigured

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
USERS = {1: SimpleUser("ada", ["read"], id=1), 2: SimpleUser("grace", ["read", "admin"], id=2)}


def build_app(session_middleware: Any, users: dict[int, SimpleUser] = USERS) -> Any:
    app = get_application()
    app.add_middleware(session_middleware)
    app.add_middleware(AuthenticationMiddleware(backend=SessionAuthBackend(users.get)))

    @app.get("/visit")
    async def visit(request: Request, response: Response) -> dict[str, int]:
        request.session["visits"] = request.session.get("visits", 0) + 1
        return {"visits": request.session["visits"]}

    @app.post("/login/{user_id:int}")
    async def do_login(request: Request, response: Response, user_id: int) -> dict[str, Any]:
        await login(request, users[user_id])
        return {"user": request.user.display_name, "visits": request.session.get("visits")}

    @app.post("/logout")
    async def do_logout(request: Request, response: Response) -> dict[str, bool]:
        await logout(request)
        return {"authenticated": bool(request.user)}

    @app.get("/me")
    @auth()
    async def me(request: Request, response: Response) -> dict[str, Any]:
        return {"user": request.user.display_name, "backend": request.auth.backend,
                "scopes": sorted(request.auth.scopes)}

    return app


async def test_login_changes_the_session_id_and_the_planted_id_stops_working(
    client_for: Client, session_middleware: Any
) -> None:
    app = build_app(session_middleware)
    async with client_for(app) as attacker:
        await attacker.get("/visit")
        planted = attacker.cookies["sid"]
    # The victim is made to use the attacker's session id, then logs in.
    async with client_for(app) as victim:
        victim.cookies.set("sid", planted, domain="testserver.local")
        response = await victim.post("/login/1")
        assert response.json() == {"user": "ada", "visits": 1}  # same user's data survives
        fresh = victim.cookies["sid"]
        assert fresh != planted
        assert (await victim.get("/me")).json() == {"user": "ada", "backend": "session", "scopes": ["read"]}
    async with client_for(app) as attacker:
        attacker.cookies.set("sid", planted, domain="testserver.local")
        assert (await attacker.get("/me")).status_code == 401
    assert planted not in session_middleware.store
    assert session_middleware.store[fresh][SESSION_USER_KEY] == 1


async def test_logging_in_as_someone_else_drops_the_previous_users_data(
    client_for: Client, session_middleware: Any
) -> None:
    async with client_for(build_app(session_middleware)) as client:
        await client.post("/login/1")
        await client.get("/visit")
        response = await client.post("/login/2")
        assert response.json() == {"user": "grace", "visits": None}
        assert (await client.get("/me")).json()["user"] == "grace"


async def test_logout_clears_the_session_and_rotates_its_id(client_for: Client, session_middleware: Any) -> None:
    async with client_for(build_app(session_middleware)) as client:
        await client.post("/login/2")
        logged_in = client.cookies["sid"]
        response = await client.post("/logout")
        assert response.json() == {"authenticated": False}
        assert client.cookies["sid"] != logged_in
        assert (await client.get("/me")).status_code == 401
    assert logged_in not in session_middleware.store


async def test_a_deleted_user_is_anonymous(client_for: Client, session_middleware: Any) -> None:
    users = dict(USERS)
    async with client_for(build_app(session_middleware, users)) as client:
        await client.post("/login/1")
        del users[1]
        response = await client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Session"


async def test_async_user_loader_and_async_regenerate_are_awaited(client_for: Client) -> None:
    events: list[str] = []

    class AsyncRegenerateSession(dict[str, Any]):
        async def regenerate(self) -> None:
            events.append("regenerated")

    async def sessions(request: Request, response: Response, call_next: Any) -> Any:
        request.scope["session"] = AsyncRegenerateSession()
        return await call_next()

    async def load(user_id: int) -> SimpleUser | None:
        events.append(f"loaded {user_id}")
        return USERS.get(user_id)

    app = get_application()
    app.add_middleware(sessions)
    app.add_middleware(AuthenticationMiddleware(backend=SessionAuthBackend(load)))

    @app.post("/")
    async def handler(request: Request, response: Response) -> dict[str, Any]:
        await login(request, USERS[2])
        return {"user": request.user.display_name, "session": dict(request.session)}

    async with client_for(app) as client:
        response = await client.post("/")
    assert response.json() == {"user": "grace", "session": {SESSION_USER_KEY: 2}}
    assert events == ["regenerated"]  # no user id in the fresh session: the loader is not called


async def test_session_backend_without_a_session_names_the_fix() -> None:
    from nexios_core.request import Request as CoreRequest

    backend = SessionAuthBackend(USERS.get)
    request = CoreRequest({"type": "http", "method": "GET", "path": "/", "headers": []})
    with pytest.raises(ImproperlyConfigured, match="SessionMiddleware"):
        await backend.authenticate(request)
    with pytest.raises(ImproperlyConfigured, match="SessionMiddleware"):
        await login(request, USERS[1])


def test_login_needs_a_user_with_an_identity() -> None:
    from nexios_auth.sessions import identity_of

    class Anonymousish:
        pass

    with pytest.raises(ValueError, match="no identity"):
        identity_of(Anonymousish())
    assert identity_of(USERS[1]) == 1


async def test_login_with_the_real_nexios_session_rotates_the_server_side_id(
    client_for: Client, tmp_path: Any
) -> None:
    from nexios_session import FileSessionManager, SessionMiddleware

    app = build_app(SessionMiddleware(backend=FileSessionManager(tmp_path)))
    app.config.secret_key = "integration-secret-key"
    async with client_for(app) as client:
        await client.get("/visit")
        planted = client.cookies["session_id"]
        assert (await client.post("/login/1")).json() == {"user": "ada", "visits": 1}
        logged_in = client.cookies["session_id"]
        assert logged_in != planted
        assert (await client.get("/me")).json()["user"] == "ada"
    async with client_for(app) as attacker:
        attacker.cookies.set("session_id", planted, domain="testserver.local")
        assert (await attacker.get("/me")).status_code == 401
    async with client_for(app) as client:
        client.cookies.set("session_id", logged_in, domain="testserver.local")
        assert (await client.post("/logout")).json() == {"authenticated": False}
        assert client.cookies.get("session_id") != logged_in  # replaced, or dropped when empty
    async with client_for(app) as replay:
        replay.cookies.set("session_id", logged_in, domain="testserver.local")
        assert (await replay.get("/me")).status_code == 401
