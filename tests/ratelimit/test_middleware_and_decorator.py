"""Rate limits on a real app: the middleware for every request, ``@rate_limit`` for one route
(its guard runs before dependencies and validation), the 429 and the ``RateLimit-*`` headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from nexios import Depend, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends import APIKeyAuthBackend
from nexios.dependencies import Query
from nexios.exceptions import ImproperlyConfigured
from nexios.http import Request, Response
from nexios.middleware import RateLimitMiddleware
from nexios.ratelimit import InMemoryRateLimitStore, RateLimit, by_user, rate_limit
from nexios.testclient import TestClient
from nexios.websockets import WebSocket
from nexios_core.testclient import WebSocketDenied


def limited_app(*rules: RateLimit, **options: Any) -> Any:
    app = get_application()
    app.add_middleware(RateLimitMiddleware(*rules, **options))

    @app.get("/")
    async def home(request: Request, response: Response) -> Any:
        return {"ok": True}

    return app


def test_the_middleware_answers_429_with_retry_after_once_the_limit_is_spent() -> None:
    client = TestClient(limited_app(limit=3, window=60))
    answers = [client.get("/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    first, refused = answers[0], answers[3]
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-policy"]) == ("3", "3;w=60")
    assert first.headers["ratelimit-reset"] == "60"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json() == {"detail": "Too many requests"}


def test_headers_can_be_left_off_but_retry_after_stays() -> None:
    client = TestClient(limited_app(limit=1, window=60, headers=False))
    allowed, refused = client.get("/"), client.get("/")
    assert "ratelimit-limit" not in allowed.headers and "ratelimit-limit" not in refused.headers
    assert refused.status_code == 429 and "retry-after" in refused.headers


def test_several_rules_all_apply_and_the_headers_describe_the_closest_to_refusing() -> None:
    burst = RateLimit(2, 1, name="burst")
    hourly = RateLimit(100, 3600, name="hourly")
    client = TestClient(limited_app(hourly, burst))
    first = client.get("/")
    assert first.headers["ratelimit-limit"] == "2" and first.headers["ratelimit-remaining"] == "1"
    assert client.get("/").status_code == 200
    refused = client.get("/")
    assert refused.status_code == 429 and refused.headers["ratelimit-policy"] == "2;w=1"
    with pytest.raises(TypeError):
        RateLimitMiddleware(burst, limit=3)
    with pytest.raises(TypeError):
        RateLimitMiddleware()


@pytest.mark.anyio
async def test_each_client_address_has_its_own_count() -> None:
    app = limited_app(limit=1, window=60)

    async def get(peer: str, **headers: str) -> int:
        transport = httpx.ASGITransport(app=app, client=(peer, 1000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return (await client.get("/", headers=headers)).status_code

    assert await get("192.0.2.1") == 200
    assert await get("192.0.2.2") == 200
    assert await get("192.0.2.1", **{"X-Forwarded-For": "198.51.100.9"}) == 429  # a forged header changes nothing


def test_keyed_by_user_after_authentication_middleware() -> None:
    users = {"key-alice": SimpleUser("alice"), "key-bob": SimpleUser("bob")}
    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys=users)))
    app.add_middleware(RateLimitMiddleware(limit=2, window=60, key=by_user()))  # runs after auth

    @app.get("/me")
    async def me(request: Request, response: Response) -> Any:
        return {"user": request.user.display_name}

    client = TestClient(app)
    alice = [client.get("/me", headers={"X-API-Key": "key-alice"}).status_code for _ in range(3)]
    assert alice == [200, 200, 429]
    assert client.get("/me", headers={"X-API-Key": "key-bob"}).status_code == 200  # same address
    anonymous = [client.get("/me").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]  # anonymous requests count by address


def test_a_key_function_returning_none_exempts_the_request() -> None:
    def everyone_but_health_checks(request: Request) -> str | None:
        return None if request.url.path == "/health" else "all"

    app = limited_app(limit=1, window=60, key=everyone_but_health_checks)

    @app.get("/health")
    async def health(request: Request, response: Response) -> Any:
        return "ok"

    client = TestClient(app)
    assert [client.get("/health").status_code for _ in range(5)] == [200] * 5
    assert "ratelimit-limit" not in client.get("/health").headers
    assert [client.get("/").status_code for _ in range(2)] == [200, 429]


# ------------------------------------------------------------------------------- @rate_limit
def decorated_app() -> tuple[Any, list[str]]:
    app = get_application()
    opened: list[str] = []

    def database() -> Any:
        opened.append("session")
        return "db"

    @app.get("/search")
    @rate_limit(2, 60)
    async def search(request: Request, response: Response, q: int = Query(...), db: Any = Depend(database)) -> Any:
        return {"q": q}

    @app.get("/bare")
    @rate_limit(1, 60, algorithm="token_bucket")
    async def bare() -> Any:  # takes neither request nor response
        return {"bare": True}

    @app.get("/built")
    @rate_limit(1, 60, algorithm="sliding_window")
    async def built(request: Request, response: Response) -> Any:
        return response.json({"built": True}, status_code=201)

    @app.get("/free")
    async def free(request: Request, response: Response) -> Any:
        return "free"

    return app, opened


def test_the_decorator_refuses_before_validation_and_dependencies() -> None:
    app, opened = decorated_app()
    client = TestClient(app)
    assert client.get("/search?q=1").status_code == 200
    assert client.get("/search?q=not-a-number").status_code == 422  # counted: the guard ran first
    refused = client.get("/search?q=still-not-a-number")
    assert refused.status_code == 429  # not 422: the limit is judged first
    assert "retry-after" in refused.headers
    # Dependencies resolve before validation, so the 422 opened a session too; the 429 did not.
    assert opened == ["session", "session"]


def test_the_decorator_adds_headers_whatever_the_handler_returns() -> None:
    app, _ = decorated_app()
    client = TestClient(app)
    search = client.get("/search?q=1")
    assert (search.json(), search.headers["ratelimit-remaining"]) == ({"q": 1}, "1")
    bare = client.get("/bare")
    assert (bare.json(), bare.headers["ratelimit-limit"], bare.headers["ratelimit-remaining"]) == (
        {"bare": True}, "1", "0")
    built = client.get("/built")
    assert (built.status_code, built.headers["ratelimit-policy"]) == (201, "1;w=60")
    assert [client.get("/bare").status_code, client.get("/built").status_code] == [429, 429]
    free = client.get("/free")  # not decorated: untouched
    assert free.status_code == 200 and not any(h.startswith("ratelimit") for h in free.headers)


def test_each_decorated_route_counts_on_its_own_and_a_named_rule_is_shared() -> None:
    app = get_application()
    shared = RateLimit(2, 60, name="writes", store=InMemoryRateLimitStore())

    @app.post("/a")
    @rate_limit(shared)
    async def a(request: Request, response: Response) -> Any:
        return "a"

    @app.post("/b")
    @rate_limit(shared)
    async def b(request: Request, response: Response) -> Any:
        return "b"

    client = TestClient(app)
    assert [client.post("/a").status_code, client.post("/b").status_code, client.post("/a").status_code] == [
        200, 200, 429]


def test_the_decorator_stacks_with_auth() -> None:
    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys={"k": SimpleUser("ann")})))

    @app.get("/admin")
    @auth()
    @rate_limit(1, 60, key=by_user())
    async def admin(request: Request, response: Response) -> Any:
        return "secret"

    client = TestClient(app)
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", headers={"X-API-Key": "k"}).status_code == 200
    assert client.get("/admin", headers={"X-API-Key": "k"}).status_code == 429


def test_a_limited_websocket_route_refuses_the_handshake() -> None:
    app = get_application()

    @app.websocket("/live")
    @rate_limit(1, 60)
    async def live(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("hi")
        await ws.close()

    client = TestClient(app)
    with client.websocket_connect("/live") as session:
        assert session.receive_text() == "hi"
    with pytest.raises(WebSocketDenied) as refused, client.websocket_connect("/live"):
        pass
    assert refused.value.code == 1008 and "Too many requests" in refused.value.reason


def test_mistakes_are_refused_when_the_route_is_declared() -> None:
    with pytest.raises(ImproperlyConfigured, match="positive int"):
        rate_limit(0, 60)
    with pytest.raises(ImproperlyConfigured, match="window"):
        rate_limit(5, -1)
    with pytest.raises(ImproperlyConfigured, match="algorithm"):
        rate_limit(5, 60, algorithm="leaky")  # type: ignore[arg-type]
    with pytest.raises(ImproperlyConfigured, match="cost"):
        rate_limit(5, 60, cost=6)
    with pytest.raises(TypeError, match="window"):
        rate_limit(5)
    with pytest.raises(TypeError, match="async"):
        rate_limit(5, 60)(lambda request, response: None)  # type: ignore[arg-type, return-value]


def test_stacked_decorators_on_one_route_count_apart_in_a_shared_store() -> None:
    # A burst limit over an hourly one, both in one store: with one default name (the handler's)
    # they shared a key, and the token bucket reset the fixed window at every request.
    store = InMemoryRateLimitStore()
    app = get_application()

    @app.get("/search")
    @rate_limit(5, 3600, algorithm="token_bucket", store=store)
    @rate_limit(3, 60, store=store)
    async def search(request: Request, response: Response) -> Any:
        return "found"

    @app.get("/hourly")
    @rate_limit(4, 3600, store=store)
    @rate_limit(100, 60, store=store)
    async def hourly(request: Request, response: Response) -> Any:
        return "found"

    client = TestClient(app)
    assert [client.get("/search").status_code for _ in range(4)] == [200, 200, 200, 429]
    # Same algorithm, two windows: each rule keeps its own count (the stricter one refuses).
    answers = [client.get("/hourly") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers[:4]] == ["3", "2", "1", "0"]
    assert len(store) == 4


@pytest.mark.anyio
async def test_rules_sharing_a_name_but_not_an_algorithm_keep_apart() -> None:
    store = InMemoryRateLimitStore()
    window = RateLimit(2, 60, name="api", store=store)
    bucket = RateLimit(2, 60, name="api", algorithm="token_bucket", store=store)
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "client": ("192.0.2.1", 1)}
    decisions = []
    for _ in range(3):
        for rule in (window, bucket):
            decision = await rule.check(Request(scope))
            assert decision is not None
            decisions.append(decision.allowed)
    assert decisions == [True, True, True, True, False, False]
