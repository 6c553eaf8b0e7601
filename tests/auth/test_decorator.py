"""``@auth``: 401 with a challenge for anonymous requests, 403 for missing scopes, and handlers
keep their parameter binding (path parameters, dependencies) when decorated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from nexios import get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends import APIKeyAuthBackend, JWTAuthBackend
from nexios.auth.backends.jwt import create_jwt
from nexios.dependencies import Depend
from nexios.http import Request, Response

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
SECRET = "decorator-tests-secret-key-of-32-bytes!!"
KEYS = {
    "reader-key": SimpleUser("reader", ["read"]),
    "admin-key": SimpleUser("boss", ["read", "admin"]),
}


def build_app() -> Any:
    app = get_application(config={"secret_key": SECRET})
    app.add_middleware(AuthenticationMiddleware(backends=[
        JWTAuthBackend(algorithms=["HS256"]),  # key from config.secret_key
        APIKeyAuthBackend(keys=KEYS),
    ]))

    @app.get("/me")
    @auth()
    async def me(request: Request, response: Response) -> dict[str, Any]:
        return {"user": request.user.display_name, "backend": request.auth.backend}

    @app.get("/jwt-only")
    @auth(["jwt"])
    async def jwt_only(request: Request, response: Response) -> dict[str, str]:
        return {"user": request.user.display_name}

    @app.get("/admin")
    @auth(scopes=["admin"])
    async def admin(request: Request, response: Response) -> dict[str, bool]:
        return {"admin": True}

    def page_size() -> int:
        return 25

    @app.get("/items/{item_id:int}")
    @auth(scopes="read")
    async def item(request: Request, response: Response, item_id: int,
                   size: int = Depend(page_size)) -> dict[str, int]:
        return {"item_id": item_id, "size": size}

    @app.get("/custom")
    @auth(www_authenticate='Basic realm="staff"')
    async def custom(request: Request, response: Response) -> str:
        return "ok"

    return app


def bearer(sub: str, **claims: Any) -> dict[str, str]:
    return {"authorization": "Bearer " + create_jwt({"sub": sub, **claims}, SECRET)}


async def test_anonymous_request_gets_401_with_every_backend_challenge(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        response = await client.get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required"}
    assert response.headers["www-authenticate"] == 'Bearer, APIKey header="X-API-Key"'


async def test_authenticated_request_reaches_the_handler(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        by_key = await client.get("/me", headers={"x-api-key": "reader-key"})
        by_token = await client.get("/me", headers=bearer("ada"))
    assert by_key.json() == {"user": "reader", "backend": "apikey"}
    assert by_token.json() == {"user": "ada", "backend": "jwt"}


async def test_backend_restriction_answers_401_with_a_bearer_challenge(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        by_key = await client.get("/jwt-only", headers={"x-api-key": "admin-key"})
        by_token = await client.get("/jwt-only", headers=bearer("ada"))
    assert by_key.status_code == 401
    assert by_key.headers["www-authenticate"] == "Bearer"
    assert by_token.status_code == 200


async def test_missing_scope_is_403_and_present_scope_passes(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        reader = await client.get("/admin", headers={"x-api-key": "reader-key"})
        token_without_scope = await client.get("/admin", headers=bearer("ada", scope="read"))
        boss = await client.get("/admin", headers={"x-api-key": "admin-key"})
        token_with_scope = await client.get("/admin", headers=bearer("ada", scope="read admin"))
        anonymous = await client.get("/admin")
    assert reader.status_code == 403
    assert reader.json() == {"detail": "Missing required scope"}
    assert "www-authenticate" not in reader.headers
    assert token_without_scope.status_code == 403
    assert boss.json() == {"admin": True}
    assert token_with_scope.json() == {"admin": True}
    assert anonymous.status_code == 401  # anonymous is "who are you?", not "not allowed"


async def test_path_parameters_and_dependencies_still_bind_through_the_decorator(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        ok = await client.get("/items/42", headers={"x-api-key": "reader-key"})
        anonymous = await client.get("/items/42")
    assert ok.json() == {"item_id": 42, "size": 25}
    assert anonymous.status_code == 401


async def test_explicit_challenge_overrides_the_backends(client_for: Client) -> None:
    async with client_for(build_app()) as client:
        response = await client.get("/custom")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="staff"'


async def test_request_passed_by_keyword_is_found(client_for: Client) -> None:
    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys=KEYS)))

    @app.get("/kw/{name}")
    @auth()
    async def handler(name: str, *, request: Request) -> str:
        return f"{name}:{request.user.display_name}"

    async with client_for(app) as client:
        response = await client.get("/kw/x", headers={"x-api-key": "reader-key"})
        anonymous = await client.get("/kw/x")
    assert response.text == "x:reader"
    assert anonymous.status_code == 401


async def test_missing_middleware_is_a_server_error_not_a_silent_401(client_for: Client) -> None:
    app = get_application()

    @app.get("/")
    @auth()
    async def handler(request: Request, response: Response) -> str:
        return "never"

    async with client_for(app) as client:
        response = await client.get("/")
    assert response.status_code == 500
    assert "never" not in response.text


def test_misuse_is_refused_when_decorating() -> None:
    with pytest.raises(TypeError, match="parentheses"):

        @auth  # type: ignore[arg-type]
        async def bare(request: Request, response: Response) -> None: ...

    with pytest.raises(TypeError, match="protects a handler function"):

        @auth()
        def generator_handler(request: Request, response: Response) -> Any:  # type: ignore[type-var]
            yield None


class Item(BaseModel):
    name: str


async def test_anonymous_request_with_an_invalid_body_gets_401_before_validation() -> None:
    opened: list[str] = []

    async def get_db() -> str:
        opened.append("db")
        return "db"

    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys={"k": "alice"})))

    @app.post("/items")
    @auth()
    async def create(request: Any, response: Any, item: Item, db: str = Depend(get_db)) -> Any:
        return {"name": item.name}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        anonymous = await client.post("/items", json={"wrong": 1})
        authenticated = await client.post("/items", json={"wrong": 1}, headers={"x-api-key": "k"})
    assert anonymous.status_code == 401
    assert opened == ["db"]  # only the authenticated request reached the dependency
    assert authenticated.status_code == 422
