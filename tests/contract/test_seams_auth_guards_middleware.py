"""Three seams, each with a third-party-style implementation used for real: an authentication
backend behind ``@auth``, a guard attached with ``add_guard``, and middleware (function style,
and class style with a ``setup(app)`` start-up hook reading the app's config)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from nexios_auth import AuthenticationMiddleware, auth
from nexios_core import (
    App,
    AuthenticationBackend,
    AuthResult,
    CallNext,
    Forbidden,
    HandlerDispatcher,
    HTTPMiddleware,
    ImproperlyConfigured,
    MakeConfig,
    MiddlewareWithSetup,
    Request,
    Response,
    add_guard,
    guards_of,
)
from nexios_core.testclient import LifespanFailed, TestClient
from nexios_routing import Router

_H = TypeVar("_H", bound=Callable[..., Awaitable[Any]])


# ---------------------------------------------------------------------------------------- auth
class TokenBackend:
    """Bearer tokens looked up in a dict: what a third party writes for its token store."""

    name = "token"
    challenge = 'Bearer realm="contract"'

    def __init__(self, tokens: dict[str, tuple[str, list[str]]]) -> None:
        self.tokens = tokens
        self.seen: list[str] = []

    async def authenticate(self, request: Request) -> AuthResult:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return None
        self.seen.append(token)
        user, scopes = self.tokens[token]
        return {"name": user}, scopes


def test_a_third_party_auth_backend_authenticates_for_the_auth_decorator() -> None:
    backend = TokenBackend({"reader": ("ada", ["read"]), "nobody": ("bob", [])})
    assert isinstance(backend, AuthenticationBackend)
    router = Router()

    @router.get("/report")
    @auth(["token"], scopes=["read"])
    async def report(request: Request, response: Response) -> Any:
        return {"user": request.user["name"], "via": request.auth.backend}

    app = App(dispatcher=router)
    app.add_middleware(AuthenticationMiddleware(backend=backend))
    with TestClient(app) as client:
        anonymous = client.get("/report")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == 'Bearer realm="contract"'  # the backend's own
        assert client.get("/report", headers={"authorization": "Bearer nobody"}).status_code == 403
        allowed = client.get("/report", headers={"authorization": "Bearer reader"})
        assert allowed.status_code == 200 and allowed.json() == {"user": "ada", "via": "token"}
    assert backend.seen == ["nobody", "reader"]


# ---------------------------------------------------------------------------------------- guards
def require_header(name: str) -> Callable[[_H], _H]:
    """A third-party guard decorator: refuses requests without header ``name``."""

    async def guard(request: Any) -> None:
        if name not in request.headers:
            raise Forbidden(detail=f"The {name} header is required")

    def decorate(handler: _H) -> _H:
        add_guard(handler, guard)
        return handler

    return decorate


class Item(BaseModel):
    name: str


def test_a_guard_attached_with_add_guard_runs_before_the_handler_and_its_validation() -> None:
    router = Router()
    calls: list[str] = []

    @router.post("/items")
    @require_header("x-team")
    async def create(request: Request, response: Response, item: Item) -> Any:
        calls.append(item.name)
        return {"created": item.name}

    assert len(guards_of(create)) == 1
    with TestClient(App(dispatcher=router)) as client:
        # Refused by the guard before the body is even validated: 403, not 422.
        refused = client.post("/items", json={"wrong": 1})
        assert refused.status_code == 403 and refused.json()["detail"] == "The x-team header is required"
        assert client.post("/items", json={"wrong": 1}, headers={"x-team": "a"}).status_code == 422
        created = client.post("/items", json={"name": "cup"}, headers={"x-team": "a"})
        assert created.status_code == 200 and created.json() == {"created": "cup"}
    assert calls == ["cup"]


# ---------------------------------------------------------------------------------------- middleware
class Greeting:
    """Class-style middleware whose start-up hook reads ``greeting`` from the app's config."""

    def __init__(self) -> None:
        self.greeting: str | None = None
        self.setups = 0  # may grow: the hook runs whenever the app assembles its middleware

    def setup(self, app: App) -> None:
        greeting = app.config.get("greeting")
        if not greeting:
            raise ImproperlyConfigured("Greeting needs config greeting='...'")
        self.greeting = greeting
        self.setups += 1

    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        outgoing = await call_next()
        outgoing.headers["x-greeting"] = str(self.greeting)
        return outgoing


async def stamp(req: Request, res: Response, next_layer: CallNext) -> Any:
    """Function-style middleware (its parameter names are its own business)."""
    res.headers["x-stamp"] = "1"
    return await next_layer()


def app_with(middleware: list[HTTPMiddleware], config: dict[str, Any]) -> App:
    async def hello(request: Request, response: Response) -> Any:
        return {"hello": True}

    app = App(MakeConfig(config), dispatcher=HandlerDispatcher(http=hello))
    for layer in middleware:
        app.add_middleware(layer)
    return app


def test_middleware_setup_reads_the_config_of_its_own_app_at_start_up() -> None:
    english, french = Greeting(), Greeting()
    assert isinstance(english, MiddlewareWithSetup) and not isinstance(stamp, MiddlewareWithSetup)
    with TestClient(app_with([english, stamp], {"greeting": "hello"})) as first, \
            TestClient(app_with([french], {"greeting": "bonjour"})) as second:
        # At start-up, before any request; the hook may run again when the app rebuilds.
        assert (english.greeting, french.greeting) == ("hello", "bonjour") and english.setups >= 1
        answer = first.get("/")
        assert answer.json() == {"hello": True}
        assert (answer.headers["x-greeting"], answer.headers["x-stamp"]) == ("hello", "1")
        assert second.get("/").headers["x-greeting"] == "bonjour"


def test_middleware_setup_refusing_the_config_stops_the_app_from_starting() -> None:
    app = app_with([Greeting()], {})
    with pytest.raises(LifespanFailed, match="Greeting needs config greeting="), TestClient(app):
        pass
