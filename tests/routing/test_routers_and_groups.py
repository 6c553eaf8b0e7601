"""Routers with prefixes, nesting, router-level middleware and tags, and ``Group``."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import Group, NexiosApp, Router
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.types import Receive, Scope, Send
from nexios_routing import Route

pytestmark = pytest.mark.anyio


async def test_router_prefix_applies_to_its_routes(client_for: Any) -> None:
    app = NexiosApp()
    users = Router(prefix="/api/users")

    @users.get("/")
    async def list_users(request: Any, response: Any) -> Any:
        return ["ann", "bob"]

    @users.get("/{user_id:int}")
    async def get_user(request: Any, response: Any, user_id: int) -> Any:
        return {"id": user_id}

    app.mount_router(users)
    async with client_for(app) as client:
        listing = await client.get("/api/users/")
        one = await client.get("/api/users/5")
        unprefixed = await client.get("/5")
    assert listing.json() == ["ann", "bob"]
    assert one.json() == {"id": 5}
    assert unprefixed.status_code == 404


async def test_prefix_without_leading_slash_or_with_trailing_slash_is_normalised(client_for: Any) -> None:
    app = NexiosApp()
    router = Router(prefix="api/")

    @router.get("/ping")
    async def ping(request: Any, response: Any) -> Any:
        return "pong"

    app.mount_router(router)
    async with client_for(app) as client:
        answer = await client.get("/api/ping")
    assert answer.text == "pong"


async def test_routers_nested_three_deep_join_their_prefixes(client_for: Any) -> None:
    app = NexiosApp()
    api = Router(prefix="/api")
    v1 = Router(prefix="/v1")
    users = Router(prefix="/users")

    @users.get("/{id}")
    async def user(request: Any, response: Any, id: str) -> Any:
        return {"id": id, "path": request.path}

    v1.mount_router(users)
    api.mount_router(v1)
    app.mount_router(api)
    async with client_for(app) as client:
        answer = await client.get("/api/v1/users/9")
    assert answer.json() == {"id": "9", "path": "/api/v1/users/9"}
    # (The docs routes NexiosApp serves are left out of the document, and out of this check.)
    assert [r.path for r in app.routes if r.include_in_schema] == ["/api/v1/users/{id}"]


async def test_mount_router_prefix_argument_replaces_the_routers_own_prefix(client_for: Any) -> None:
    app = NexiosApp()
    shared = Router(prefix="/original")

    @shared.get("/status")
    async def status(request: Any, response: Any) -> Any:
        return {"ok": True}

    app.mount_router(shared, prefix="/v2")
    async with client_for(app) as client:
        replaced = await client.get("/v2/status")
        original = await client.get("/original/status")
    assert replaced.json() == {"ok": True}
    assert original.status_code == 404
    assert shared.prefix == "/original"  # the router object itself is unchanged


async def test_one_router_mounted_under_two_prefixes(client_for: Any) -> None:
    app = NexiosApp()
    health = Router()

    @health.get("/health")
    async def check(request: Any, response: Any) -> Any:
        return {"path": request.path}

    app.mount_router(health, prefix="/a")
    app.mount_router(health, prefix="/b")
    async with client_for(app) as client:
        first = await client.get("/a/health")
        second = await client.get("/b/health")
    assert first.json() == {"path": "/a/health"}
    assert second.json() == {"path": "/b/health"}


async def test_middleware_runs_app_then_outer_router_then_inner_router_then_route(client_for: Any) -> None:
    order: list[str] = []

    def recorder(name: str) -> Any:
        async def middleware(request: Any, response: Any, call_next: Any) -> Any:
            order.append(f"{name}:before")
            result = await call_next()
            order.append(f"{name}:after")
            return result

        return middleware

    app = NexiosApp()
    app.add_middleware(recorder("app"))
    outer = Router(prefix="/outer", middleware=[recorder("outer")])
    inner = Router(prefix="/inner")
    inner.add_middleware(recorder("inner"))

    @inner.get("/leaf", middleware=[recorder("route")])
    async def leaf(request: Any, response: Any) -> Any:
        order.append("handler")
        return "leaf"

    outer.mount_router(inner)
    app.mount_router(outer)
    async with client_for(app) as client:
        answer = await client.get("/outer/inner/leaf")
    assert answer.text == "leaf"
    assert order == [
        "app:before", "outer:before", "inner:before", "route:before",
        "handler",
        "route:after", "inner:after", "outer:after", "app:after",
    ]


async def test_router_middleware_only_wraps_that_routers_routes(client_for: Any) -> None:
    seen: list[str] = []

    async def guard(request: Any, response: Any, call_next: Any) -> Any:
        seen.append(request.path)
        if request.headers.get("x-token") != "secret":
            return response.json({"detail": "no"}, status_code=401)
        return await call_next()

    app = NexiosApp()
    admin = Router(prefix="/admin", middleware=[guard])

    @admin.get("/panel")
    async def panel(request: Any, response: Any) -> Any:
        return "panel"

    @app.get("/public")
    async def public(request: Any, response: Any) -> Any:
        return "public"

    app.mount_router(admin)
    async with client_for(app) as client:
        denied = await client.get("/admin/panel")
        allowed = await client.get("/admin/panel", headers={"x-token": "secret"})
        public_answer = await client.get("/public")
    assert denied.status_code == 401
    assert allowed.text == "panel"
    assert public_answer.text == "public"
    assert seen == ["/admin/panel", "/admin/panel"]


def test_router_refuses_raw_asgi_middleware() -> None:
    class RawASGI:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await self.app(scope, receive, send)

    # Caught when it is added, not on the first request (the class needs the app to wrap).
    router = Router()
    with pytest.raises((ImproperlyConfigured, TypeError)):
        router.add_middleware(RawASGI)
    assert router.middleware == []


def test_tags_are_inherited_from_outer_routers_without_duplicates() -> None:
    app = NexiosApp()
    outer = Router(prefix="/o", tags=["outer", "shared"])
    inner = Router(prefix="/i", tags=["inner", "shared"])

    @inner.get("/x", tags=["route", "outer"])
    async def x(request: Any, response: Any) -> Any:
        return None

    outer.mount_router(inner)
    app.mount_router(outer)
    (route,) = app.routes
    assert route.path == "/o/i/x"
    assert route.tags == ["outer", "shared", "inner", "route"]


def test_router_cannot_be_mounted_inside_itself() -> None:
    outer = Router(prefix="/a")
    inner = Router(prefix="/b")
    outer.mount_router(inner)
    with pytest.raises(ImproperlyConfigured):
        inner.mount_router(outer)
    with pytest.raises(ImproperlyConfigured):
        outer.mount_router(outer)


async def test_list_style_routes_in_app_and_router(client_for: Any) -> None:
    from nexios import Routes

    async def home(request: Any, response: Any) -> Any:
        return {"page": "home"}

    async def item(request: Any, response: Any, item_id: int) -> Any:
        return {"item": item_id}

    async def create_item(request: Any, response: Any) -> Any:
        return response.status(201).json(await request.json)

    items = Router(
        prefix="/items",
        routes=[
            Routes("/{item_id:int}", item, name="item"),
            Routes("/", create_item, methods=["POST"]),
        ],
    )
    app = NexiosApp(routes=[Routes("/", home), items])
    async with client_for(app) as client:
        home_answer = await client.get("/")
        item_answer = await client.get("/items/3")
        created = await client.post("/items/", json={"name": "x"})
    assert home_answer.json() == {"page": "home"}
    assert item_answer.json() == {"item": 3}
    assert created.status_code == 201
    assert created.json() == {"name": "x"}
    assert app.url_for("item", item_id=3) == "/items/3"


async def test_add_route_with_path_handler_and_methods(client_for: Any) -> None:
    app = NexiosApp()

    async def echo(request: Any, response: Any) -> Any:
        return {"method": request.method}

    app.add_route("/echo", echo, methods=["PUT", "PATCH"])
    app.add_route(Route("/echo2", echo))
    async with client_for(app) as client:
        put = await client.put("/echo")
        patch = await client.patch("/echo")
        get = await client.get("/echo2")
    assert put.json() == {"method": "PUT"}
    assert patch.json() == {"method": "PATCH"}
    assert get.json() == {"method": "GET"}


async def test_route_added_after_the_first_request_is_served(client_for: Any) -> None:
    app = NexiosApp()
    late_router = Router(prefix="/late")
    app.mount_router(late_router)

    @app.get("/first")
    async def first(request: Any, response: Any) -> Any:
        return "first"

    async with client_for(app) as client:
        assert (await client.get("/first")).text == "first"
        assert (await client.get("/second")).status_code == 404

        @app.get("/second")
        async def second(request: Any, response: Any) -> Any:
            return "second"

        @late_router.get("/third")  # a change in a mounted router recompiles the app's table too
        async def third(request: Any, response: Any) -> Any:
            return "third"

        assert (await client.get("/second")).text == "second"
        assert (await client.get("/late/third")).text == "third"
        assert (await client.get("/first")).text == "first"


async def test_group_with_routes_prefix_and_middleware(client_for: Any) -> None:
    calls: list[str] = []

    async def audit(request: Any, response: Any, call_next: Any) -> Any:
        calls.append(request.path)
        return await call_next()

    async def a(request: Any, response: Any) -> Any:
        return "a"

    async def b(request: Any, response: Any, n: int) -> Any:
        return {"n": n}

    app = NexiosApp()
    app.add_route(Group("/grp", routes=[Route("/a", a), Route("/b/{n:int}", b)], middleware=[audit]))

    @app.get("/outside")
    async def outside(request: Any, response: Any) -> Any:
        return "outside"

    async with client_for(app) as client:
        assert (await client.get("/grp/a")).text == "a"
        assert (await client.get("/grp/b/4")).json() == {"n": 4}
        assert (await client.get("/outside")).text == "outside"
    assert calls == ["/grp/a", "/grp/b/4"]


async def test_group_with_a_raw_asgi_app_runs_group_middleware_first(client_for: Any) -> None:
    seen: list[dict[str, Any]] = []

    async def legacy(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append({"path": scope["path"], "root_path": scope["root_path"],
                     "mount_path": scope["nexios.mount_path"]})
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"legacy"})

    async def require_key(request: Any, response: Any, call_next: Any) -> Any:
        if request.headers.get("x-key") != "k":
            return response.json({"detail": "forbidden"}, status_code=403)
        return await call_next()

    app = NexiosApp()
    app.add_route(Group("/legacy", app=legacy, middleware=[require_key]))
    async with client_for(app) as client:
        refused = await client.get("/legacy/old/page")
        served = await client.get("/legacy/old/page", headers={"x-key": "k"})
        bare = await client.get("/legacy", headers={"x-key": "k"})
    assert refused.status_code == 403
    assert served.text == "legacy"
    assert seen == [
        {"path": "/legacy/old/page", "root_path": "/legacy", "mount_path": "/old/page"},
        {"path": "/legacy", "root_path": "/legacy", "mount_path": "/"},
    ]
    assert bare.text == "legacy"


def test_group_refuses_both_routes_and_app() -> None:
    async def a(request: Any, response: Any) -> Any:
        return "a"

    async def raw(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    with pytest.raises(TypeError):
        Group("/g", routes=[Route("/a", a)], app=raw)
