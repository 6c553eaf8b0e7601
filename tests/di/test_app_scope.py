"""App-scoped dependencies (``Depend(fn, scope="app")``): created once, at start-up when the
lifespan runs, closed at shutdown; they may not depend on request-scoped ones."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from nexios import Depend, NexiosApp, Router, get_application
from nexios.testclient import TestClient
from nexios_di import DependencyError


def test_app_scoped_dependency_is_created_once_across_many_requests() -> None:
    created: list[int] = []

    def pool() -> dict[str, int]:
        created.append(1)
        return {"id": len(created)}

    app = get_application()

    @app.get("/a")
    async def a(request: Any, response: Any, p: dict[str, int] = Depend(pool, scope="app")) -> Any:
        return {"id": id(p), "n": p["id"]}

    @app.get("/b")
    async def b(request: Any, response: Any, p: dict[str, int] = Depend(pool, scope="app")) -> Any:
        return {"id": id(p), "n": p["id"]}

    client = TestClient(app)
    answers = [client.get("/a").json() for _ in range(5)] + [client.get("/b").json() for _ in range(5)]
    assert len({answer["id"] for answer in answers}) == 1
    assert {answer["n"] for answer in answers} == {1}
    assert created == [1]


def test_app_scoped_dependencies_are_created_at_startup_and_closed_at_shutdown() -> None:
    events: list[str] = []

    async def engine() -> AsyncIterator[str]:
        events.append("engine:start")
        yield "engine"
        events.append("engine:close")

    def settings() -> Iterator[str]:
        events.append("settings:start")
        yield "settings"
        events.append("settings:close")

    async def client_factory(app: NexiosApp, e: str = Depend(engine, scope="app"),
                             s: str = Depend(settings, scope="app")) -> str:
        events.append("client:start")
        assert isinstance(app, NexiosApp)
        return f"client({e},{s})"

    def request_scoped(c: str = Depend(client_factory, scope="app")) -> str:
        return c + "!"

    app = get_application()
    router = Router(prefix="/r")

    @router.get("/")
    async def handler(request: Any, response: Any, value: str = Depend(request_scoped)) -> Any:
        events.append("request")
        return value

    app.mount_router(router)

    with TestClient(app) as client:
        # Start-up created them all before any request, dependencies first.
        assert events == ["engine:start", "settings:start", "client:start"]
        assert client.get("/r/").text == "client(engine,settings)!"
        assert client.get("/r/").text == "client(engine,settings)!"
        assert events[3:] == ["request", "request"]
    # Shutdown closed the generators, newest first.
    assert events[-2:] == ["settings:close", "engine:close"]
    assert events.count("engine:start") == 1


def test_app_scoped_level_dependency_is_created_at_startup() -> None:
    events: list[str] = []

    async def warm() -> AsyncIterator[None]:
        events.append("warm")
        yield
        events.append("cool")

    app = get_application(dependencies=[Depend(warm, scope="app")])

    @app.get("/")
    async def handler(request: Any, response: Any) -> Any:
        return "ok"

    with TestClient(app) as client:
        assert events == ["warm"]
        client.get("/")
        client.get("/")
        assert events == ["warm"]
    assert events == ["warm", "cool"]


def test_app_scoped_dependency_without_lifespan_is_created_on_first_use() -> None:
    created: list[int] = []

    def singleton() -> object:
        created.append(1)
        return object()

    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, s: object = Depend(singleton, scope="app")) -> Any:
        return str(id(s))

    client = TestClient(app)
    first = client.get("/").text
    assert client.get("/").text == first
    assert created == [1]


def test_two_apps_have_separate_app_scopes() -> None:
    created: list[int] = []

    def singleton() -> int:
        created.append(1)
        return len(created)

    apps = []
    for _ in range(2):
        app = get_application()

        @app.get("/")
        async def handler(request: Any, response: Any, s: int = Depend(singleton, scope="app")) -> Any:
            return s

        apps.append(app)

    assert TestClient(apps[0]).get("/").json() == 1
    assert TestClient(apps[1]).get("/").json() == 2
    assert TestClient(apps[0]).get("/").json() == 1


def test_app_scoped_dependency_on_a_request_scoped_one_fails_at_registration() -> None:
    def per_request() -> int:
        return 1

    def singleton(value: int = Depend(per_request)) -> int:
        return value

    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def my_handler(request: Any, response: Any, s: int = Depend(singleton, scope="app")) -> Any:
            return s

    message = str(caught.value)
    assert "singleton" in message and "per_request" in message
    assert "my_handler" in message and "'s'" in message


def test_app_scoped_dependency_reading_the_request_fails_at_registration() -> None:
    def singleton(limit: int = 10) -> int:  # a query parameter: per request
        return limit

    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def reader(request: Any, response: Any, s: int = Depend(singleton, scope="app")) -> Any:
            return s

    assert "singleton" in str(caught.value) and "reader" in str(caught.value)


def test_app_scoped_dependencies_outlive_every_hook_and_honour_overrides_at_startup() -> None:
    from nexios import Depend, get_application
    from nexios.testclient import TestClient

    events: list[str] = []

    async def real_pool() -> Any:
        events.append("real pool opened")
        yield "real"
        events.append("real pool closed")

    async def fake_pool() -> Any:
        events.append("fake pool opened")
        yield "fake"
        events.append("fake pool closed")

    app = get_application(on_shutdown=[lambda: events.append("constructor shutdown hook")])

    @app.get("/pool")
    async def pool(request: Any, response: Any, db: str = Depend(real_pool, scope="app")) -> Any:
        return {"db": db}

    @app.on_shutdown
    async def late_hook() -> None:
        events.append("decorator shutdown hook")

    app.dependency_overrides[real_pool] = fake_pool
    with TestClient(app) as client:
        assert client.get("/pool").json() == {"db": "fake"}
    assert events == [
        "fake pool opened",
        "constructor shutdown hook",
        "decorator shutdown hook",
        "fake pool closed",
    ]
