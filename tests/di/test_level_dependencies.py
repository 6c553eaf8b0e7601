"""``dependencies=[Depend(...)]`` on the app, routers and routes: all run, app first, for every
matching request; one raising an ``HTTPException`` stops the request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from nexios import Depend, Router, get_application
from nexios.dependencies import Header
from nexios.testclient import TestClient
from nexios_core.exceptions import HTTPException


def test_app_router_and_route_dependencies_run_in_order_for_every_request() -> None:
    calls: list[str] = []

    def app_level() -> None:
        calls.append("app")

    async def router_level() -> None:
        calls.append("router")

    async def nested_router_level() -> AsyncIterator[None]:
        calls.append("inner router")
        yield

    def route_level() -> None:
        calls.append("route")

    app = get_application(dependencies=[Depend(app_level)])
    outer = Router(prefix="/api", dependencies=[Depend(router_level)])
    inner = Router(prefix="/v1", dependencies=[Depend(nested_router_level)])

    @inner.get("/things/{thing_id}", dependencies=[Depend(route_level)])
    async def thing(request: Any, response: Any, thing_id: int) -> Any:
        calls.append("handler")
        return {"id": thing_id}

    @outer.get("/plain")
    async def plain(request: Any, response: Any) -> Any:
        calls.append("handler")
        return "plain"

    @app.get("/root")
    async def root(request: Any, response: Any) -> Any:
        calls.append("handler")
        return "root"

    outer.mount_router(inner)
    app.mount_router(outer)
    client = TestClient(app)

    for _ in range(2):
        calls.clear()
        assert client.get("/api/v1/things/3").json() == {"id": 3}
        assert calls == ["app", "router", "inner router", "route", "handler"]

    calls.clear()
    assert client.get("/api/plain").text == "plain"
    assert calls == ["app", "router", "handler"]

    calls.clear()
    assert client.get("/root").text == "root"
    assert calls == ["app", "handler"]

    # A request that matches no route runs none of them.
    calls.clear()
    assert client.get("/nowhere").status_code == 404
    assert calls == []


def test_route_dependencies_via_add_route() -> None:
    calls: list[str] = []

    def marker() -> None:
        calls.append("dep")

    async def handler(request: Any, response: Any) -> Any:
        calls.append("handler")
        return "ok"

    app = get_application()
    app.add_route("/x", handler, methods=["GET", "POST"], dependencies=[Depend(marker)])
    client = TestClient(app)
    assert client.get("/x").text == "ok"
    assert client.post("/x").text == "ok"
    assert calls == ["dep", "handler", "dep", "handler"]


def test_a_level_dependency_raising_401_stops_the_request() -> None:
    reached: list[str] = []

    def require_token(x_token: str | None = Header(None)) -> None:
        if x_token != "secret":
            raise HTTPException(401, detail="missing or bad token", headers={"WWW-Authenticate": "Token"})

    def after() -> None:
        reached.append("after")

    app = get_application(dependencies=[Depend(require_token)])
    router = Router(prefix="/r", dependencies=[Depend(after)])

    @router.get("/")
    async def handler(request: Any, response: Any) -> Any:
        reached.append("handler")
        return "in"

    app.mount_router(router)
    client = TestClient(app)
    refused = client.get("/r/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "missing or bad token"
    assert refused.headers["www-authenticate"] == "Token"
    assert reached == []

    assert client.get("/r/", headers={"X-Token": "secret"}).text == "in"
    assert reached == ["after", "handler"]


def test_level_dependencies_share_the_request_cache_with_parameters() -> None:
    calls: list[int] = []

    def current_user() -> str:
        calls.append(1)
        return "alice"

    app = get_application(dependencies=[Depend(current_user)])

    @app.get("/me")
    async def me(request: Any, response: Any, user: str = Depend(current_user)) -> Any:
        return {"user": user}

    assert TestClient(app).get("/me").json() == {"user": "alice"}
    assert calls == [1]


def test_level_generator_dependencies_are_closed_after_the_request() -> None:
    events: list[str] = []

    async def audit() -> AsyncIterator[None]:
        events.append("start")
        try:
            yield
        except RuntimeError:
            events.append("failed")
            raise
        events.append("done")

    app = get_application(dependencies=[Depend(audit)])

    @app.get("/ok")
    async def ok(request: Any, response: Any) -> Any:
        return "ok"

    @app.get("/fail")
    async def fail(request: Any, response: Any) -> Any:
        raise RuntimeError("bad")

    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/ok").status_code == 200
    assert events == ["start", "done"]
    events.clear()
    assert client.get("/fail").status_code == 500
    assert events == ["start", "failed"]


def test_websocket_routes_run_level_dependencies_too() -> None:
    calls: list[str] = []

    def app_level() -> None:
        calls.append("app")

    def route_level() -> None:
        calls.append("route")

    app = get_application(dependencies=[Depend(app_level)])

    @app.ws_route("/ws", dependencies=[Depend(route_level)])
    async def ws(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text(",".join(calls))
        await websocket.close()

    with TestClient(app).websocket_connect("/ws") as session:
        assert session.receive_text() == "app,route"
