"""AuthenticationMiddleware on the core App alone (no ``nexios`` facade, no router)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios_auth import (
    APIKeyAuthBackend,
    AuthCredentials,
    AuthenticationMiddleware,
    SimpleUser,
    UnauthenticatedUser,
    auth,
)
from nexios_auth.backends.base import AuthResult
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.request import Request
from nexios_core.responses import Response

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]


class HeaderBackend:
    """A third-party backend: ``X-User: name`` logs in as ``name`` with scope ``from-header``."""

    def __init__(self, name: str = "header") -> None:
        self.name = name
        self.calls = 0

    async def authenticate(self, request: Request) -> AuthResult:
        self.calls += 1
        username = request.headers.get("x-user")
        if not username:
            return None
        return SimpleUser(username), ["from-header"]


async def describe(request: Request, response: Response) -> dict[str, Any]:
    credentials = request.auth
    return {
        "user": request.user.display_name,
        "authenticated": bool(request.user),
        "scopes": sorted(credentials.scopes),
        "backend": credentials.backend,
    }


def core_app(middleware: AuthenticationMiddleware, handler: Any = describe) -> App:
    return App(dispatcher=HandlerDispatcher(handler), middlewares=[middleware])


async def test_core_app_gets_user_and_credentials_from_the_first_matching_backend(client_for: Client) -> None:
    header = HeaderBackend()
    keys = APIKeyAuthBackend(keys={"k-123": SimpleUser("robot", ["read"])})
    app = core_app(AuthenticationMiddleware(backends=[keys, header]))
    async with client_for(app) as client:
        by_key = await client.get("/", headers={"x-api-key": "k-123", "x-user": "ignored"})
        by_header = await client.get("/", headers={"x-user": "ada"})
    assert by_key.json() == {"user": "robot", "authenticated": True, "scopes": ["read"], "backend": "apikey"}
    assert by_header.json() == {
        "user": "ada", "authenticated": True, "scopes": ["from-header"], "backend": "header",
    }
    assert header.calls == 1  # the first request stopped at the API key backend


async def test_anonymous_requests_get_a_falsy_user_and_empty_credentials(client_for: Client) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: Request, response: Response) -> str:
        seen["user"], seen["auth"] = request.user, request.auth
        return "ok"

    app = core_app(AuthenticationMiddleware(backend=HeaderBackend()), handler)
    async with client_for(app) as client:
        assert (await client.get("/")).text == "ok"
    assert isinstance(seen["user"], UnauthenticatedUser) and not seen["user"]
    assert isinstance(seen["auth"], AuthCredentials)
    assert seen["auth"].scopes == frozenset() and seen["auth"].backend is None


async def test_auth_decorator_works_on_the_core_app(client_for: Client) -> None:
    @auth()
    async def private(request: Request, response: Response) -> dict[str, str]:
        return {"hello": request.user.display_name}

    app = core_app(AuthenticationMiddleware(backend=HeaderBackend()), private)
    async with client_for(app) as client:
        anonymous = await client.get("/")
        known = await client.get("/", headers={"x-user": "ada"})
    assert anonymous.status_code == 401
    assert known.json() == {"hello": "ada"}


async def test_requests_never_share_users(client_for: Client) -> None:
    import anyio

    app = core_app(AuthenticationMiddleware(backend=HeaderBackend()))
    results: dict[str, str] = {}
    async with client_for(app) as client:

        async def fetch(name: str) -> None:
            results[name] = (await client.get("/", headers={"x-user": name})).json()["user"]

        async with anyio.create_task_group() as group:
            for index in range(20):
                group.start_soon(fetch, f"user{index}")
    assert results == {f"user{index}": f"user{index}" for index in range(20)}


def test_a_backend_list_passed_as_backend_is_accepted() -> None:
    first, second = HeaderBackend("one"), HeaderBackend("two")
    middleware = AuthenticationMiddleware([first, second])  # the Nexios 2.x spelling
    assert middleware.backends == (first, second)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs backend"),
        ({"backends": [HeaderBackend("x"), HeaderBackend("x")]}, "Two authentication backends"),
        ({"backend": HeaderBackend("")}, "non-empty name"),
    ],
)
def test_misconfiguration_is_refused_at_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        AuthenticationMiddleware(**kwargs)


async def test_backend_setup_runs_when_the_app_starts() -> None:
    class NeedsConfig(HeaderBackend):
        configured_with: Any = None

        def setup(self, app: Any) -> None:
            self.configured_with = app.config.get("secret_key")

    backend = NeedsConfig()
    app = App({"secret_key": "s3"}, dispatcher=HandlerDispatcher(describe),
              middlewares=[AuthenticationMiddleware(backend=backend)])
    app.build()
    assert backend.configured_with == "s3"
