"""Mounting any ASGI app (``app.register``), another Nexios app, and how mounts are chosen."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import NexiosApp, Router
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.types import Receive, Scope, Send
from nexios_routing import Mount

pytestmark = pytest.mark.anyio


def _recording_app(label: str, seen: list[dict[str, Any]]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append({"label": label, "path": scope["path"], "root_path": scope["root_path"],
                     "mount_path": scope["nexios.mount_path"], "body": body})
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": label.encode()})

    return app


async def test_register_mounts_any_asgi_app_with_root_path_and_mount_path(client_for: Any) -> None:
    seen: list[dict[str, Any]] = []
    app = NexiosApp()
    app.register(_recording_app("legacy", seen), prefix="/legacy")
    async with client_for(app) as client:
        deep = await client.post("/legacy/a/b?x=1", content=b"payload")
        exact = await client.get("/legacy")
        other = await client.get("/legacyish")
    assert deep.text == "legacy"
    assert exact.text == "legacy"
    assert other.status_code == 404
    assert seen == [
        {"label": "legacy", "path": "/legacy/a/b", "root_path": "/legacy", "mount_path": "/a/b",
         "body": b"payload"},
        {"label": "legacy", "path": "/legacy", "root_path": "/legacy", "mount_path": "/", "body": b""},
    ]


async def test_mount_under_a_router_prefix_sees_the_full_prefix(client_for: Any) -> None:
    seen: list[dict[str, Any]] = []
    app = NexiosApp()
    api = Router(prefix="/api")
    api.mount("/files", _recording_app("files", seen))
    app.mount_router(api)
    async with client_for(app) as client:
        answer = await client.get("/api/files/x.txt")
    assert answer.text == "files"
    assert seen[0]["root_path"] == "/api/files"
    assert seen[0]["mount_path"] == "/x.txt"


async def test_mounting_a_second_nexios_app(client_for: Any) -> None:
    child = NexiosApp()

    @child.get("/")
    async def child_home(request: Any, response: Any) -> Any:
        return {"where": "child home", "root_path": request.scope["root_path"]}

    @child.get("/items/{id:int}", name="child_item")
    async def child_item(request: Any, response: Any, id: int) -> Any:
        return {"where": "child item", "id": id, "path": request.path}

    parent = NexiosApp()

    @parent.get("/")
    async def parent_home(request: Any, response: Any) -> Any:
        return {"where": "parent home"}

    parent.register(child, prefix="/child")
    async with client_for(parent) as client:
        home = await client.get("/")
        child_root = await client.get("/child/")
        item = await client.get("/child/items/3")
        missing = await client.get("/child/nope")
        wrong_method = await client.post("/child/items/3")
    assert home.json() == {"where": "parent home"}
    assert child_root.json() == {"where": "child home", "root_path": "/child"}
    assert item.json() == {"where": "child item", "id": 3, "path": "/child/items/3"}
    assert missing.status_code == 404
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_parent_middleware_runs_before_a_mounted_app(client_for: Any) -> None:
    seen: list[dict[str, Any]] = []
    order: list[str] = []
    app = NexiosApp()

    @app.middleware
    async def log(request: Any, response: Any, call_next: Any) -> Any:
        order.append("parent middleware")
        return await call_next()

    app.register(_recording_app("sub", seen), prefix="/sub")
    async with client_for(app) as client:
        answer = await client.get("/sub/x")
    assert answer.text == "sub"
    assert order == ["parent middleware"]


async def test_longest_mount_prefix_wins(client_for: Any) -> None:
    seen: list[dict[str, Any]] = []
    app = NexiosApp()
    app.register(_recording_app("short", seen), prefix="/a")
    app.register(_recording_app("long", seen), prefix="/a/b")
    app.register(_recording_app("root", seen), prefix="/")
    async with client_for(app) as client:
        long_answer = await client.get("/a/b/c")
        short_answer = await client.get("/a/bc")
        root_answer = await client.get("/zzz")
    assert long_answer.text == "long"
    assert short_answer.text == "short"
    assert root_answer.text == "root"
    assert seen[0]["mount_path"] == "/c"
    assert seen[1]["mount_path"] == "/bc"
    assert seen[2] == {"label": "root", "path": "/zzz", "root_path": "", "mount_path": "/zzz", "body": b""}


async def test_routes_beat_mounts(client_for: Any) -> None:
    seen: list[dict[str, Any]] = []
    app = NexiosApp()
    app.register(_recording_app("mounted", seen), prefix="/static")

    @app.get("/static/special.txt")
    async def special(request: Any, response: Any) -> Any:
        return "from route"

    async with client_for(app) as client:
        route_answer = await client.get("/static/special.txt")
        mount_answer = await client.get("/static/other.txt")
    assert route_answer.text == "from route"
    assert mount_answer.text == "mounted"


def test_mount_prefix_cannot_have_parameters() -> None:
    async def raw(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    with pytest.raises(ImproperlyConfigured):
        Mount("/tenants/{tenant}", raw)


async def test_a_bare_router_can_be_mounted_as_an_asgi_app(client_for: Any) -> None:
    api = Router()

    @api.get("/ping/{n:int}")
    async def ping(request: Any, response: Any, n: int) -> Any:
        return {"n": n, "root_path": request.scope["root_path"]}

    app = NexiosApp()
    app.register(api, prefix="/raw")
    async with client_for(app) as client:
        answer = await client.get("/raw/ping/3")
        missing = await client.get("/raw/nothing")
    assert answer.json() == {"n": 3, "root_path": "/raw"}
    assert missing.status_code == 404


async def test_a_mounted_router_app_does_not_answer_405_for_the_parents_routes(client_for: Any) -> None:
    # The parent has POST /api/items; a GET for it falls through to the app mounted at /api,
    # which has no such route: that is the child's 404, not the parent's 405.
    from nexios import get_application

    parent = get_application()
    child = get_application()

    @child.get("/other")
    async def other(request: Any, response: Any) -> Any:
        return {"child": True}

    @parent.post("/api/items")
    async def create(request: Any, response: Any) -> Any:
        return {"created": True}

    parent.mount("/api", child)
    async with client_for(parent) as client:
        assert (await client.post("/api/items")).json() == {"created": True}
        assert (await client.get("/api/other")).json() == {"child": True}
        missing = await client.get("/api/items")
    assert missing.status_code == 404
