"""``app.dependency_overrides[original] = replacement`` for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from nexios import Depend, Router, get_application
from nexios.testclient import TestClient


def real_db() -> str:
    return "real-db"


def fake_db() -> str:
    return "fake-db"


def test_override_replaces_a_direct_dependency_and_clearing_restores_it() -> None:
    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, db: str = Depend(real_db)) -> Any:
        return db

    client = TestClient(app)
    assert client.get("/").text == "real-db"
    app.dependency_overrides[real_db] = fake_db
    assert client.get("/").text == "fake-db"
    app.dependency_overrides.clear()
    assert client.get("/").text == "real-db"


def test_override_replaces_a_nested_dependency() -> None:
    app = get_application()
    calls: list[str] = []

    def settings() -> str:
        calls.append("real settings")
        return "prod"

    def repository(env: str = Depend(settings)) -> str:
        return f"repo({env})"

    async def service(repo: str = Depend(repository)) -> str:
        return f"service({repo})"

    @app.get("/")
    async def handler(request: Any, response: Any, svc: str = Depend(service)) -> Any:
        return svc

    client = TestClient(app)
    assert client.get("/").text == "service(repo(prod))"
    app.dependency_overrides[settings] = lambda: "test"
    assert client.get("/").text == "service(repo(test))"
    assert calls == ["real settings"]
    del app.dependency_overrides[settings]
    assert client.get("/").text == "service(repo(prod))"
    assert calls == ["real settings", "real settings"]


def test_replacement_can_have_its_own_dependencies_and_inputs() -> None:
    app = get_application()

    def current_user() -> str:
        return "real user"

    def token(x_token: str = "anonymous") -> str:
        return x_token

    async def fake_user(request, t: str = Depend(token)) -> str:  # type: ignore[no-untyped-def]
        assert request.url.path == "/"
        return f"fake:{t}"

    @app.get("/")
    async def handler(request: Any, response: Any, user: str = Depend(current_user)) -> Any:
        return user

    app.dependency_overrides[current_user] = fake_user
    client = TestClient(app)
    assert client.get("/?x_token=abc").text == "fake:abc"
    assert client.get("/").text == "fake:anonymous"


def test_generator_replacement_is_cleaned_up() -> None:
    app = get_application()
    events: list[str] = []

    def session() -> Iterator[str]:
        events.append("real")
        yield "real"

    async def fake_session() -> AsyncIterator[str]:
        events.append("fake open")
        yield "fake"
        events.append("fake close")

    @app.get("/")
    async def handler(request: Any, response: Any, s: str = Depend(session)) -> Any:
        return s

    app.dependency_overrides[session] = fake_session
    assert TestClient(app).get("/").text == "fake"
    assert events == ["fake open", "fake close"]


def test_override_applies_to_level_dependencies_and_keeps_caching() -> None:
    calls: list[str] = []

    def guard() -> None:
        raise AssertionError("the real guard must not run")

    def allow() -> str:
        calls.append("allow")
        return "allowed"

    app = get_application(dependencies=[Depend(guard)])
    router = Router(prefix="/r", dependencies=[Depend(guard)])

    @router.get("/")
    async def handler(request: Any, response: Any, g: str = Depend(guard)) -> Any:
        return g

    app.mount_router(router)
    app.dependency_overrides[guard] = allow
    assert TestClient(app).get("/r/").text == "allowed"
    # Three uses of the same (overridden) dependency in one request: one call.
    assert calls == ["allow"]


def test_override_of_an_app_scoped_dependency() -> None:
    app = get_application()

    def pool() -> str:
        return "real pool"

    @app.get("/")
    async def handler(request: Any, response: Any, p: str = Depend(pool, scope="app")) -> Any:
        return p

    app.dependency_overrides[pool] = lambda: "fake pool"
    assert TestClient(app).get("/").text == "fake pool"


def test_overrides_are_per_app() -> None:
    first = get_application()
    second = get_application()
    for app in (first, second):
        @app.get("/")
        async def handler(request: Any, response: Any, db: str = Depend(real_db)) -> Any:
            return db

    first.dependency_overrides[real_db] = fake_db
    assert TestClient(first).get("/").text == "fake-db"
    assert TestClient(second).get("/").text == "real-db"


def test_override_in_websocket_handler() -> None:
    app = get_application()

    @app.ws_route("/ws")
    async def ws(websocket: Any, db: str = Depend(real_db)) -> None:
        await websocket.accept()
        await websocket.send_text(db)
        await websocket.close()

    app.dependency_overrides[real_db] = fake_db
    with TestClient(app).websocket_connect("/ws") as session:
        assert session.receive_text() == "fake-db"


def test_replacement_can_read_the_path_values_of_the_route() -> None:
    app = get_application()

    def load_order(order_id: int) -> str:
        return f"real {order_id}"

    def fake_order(order_id: int) -> str:
        return f"fake {order_id + 1}"

    @app.get("/orders/{order_id}")
    async def handler(request: Any, response: Any, order: str = Depend(load_order)) -> Any:
        return order

    client = TestClient(app)
    assert client.get("/orders/1").text == "real 1"
    app.dependency_overrides[load_order] = fake_order
    assert client.get("/orders/1").text == "fake 2"
    assert client.get("/orders/x").status_code == 422
