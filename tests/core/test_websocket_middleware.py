"""WebSocket middleware: ``app.add_ws_middleware`` (function and upstream ASGI forms), route and
router middleware on WebSocket routes, HTTP middleware that also serves WebSockets, the order
they run in, refusing a connection, and routes without middleware paying nothing."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import Router, get_application
from nexios.exceptions import Forbidden
from nexios.testclient import TestClient
from nexios_core import App, ImproperlyConfigured, WebSocketDisconnect
from nexios_core.testclient import WebSocketDenied
from nexios_routing import WebSocketRoute
from nexios_routing.endpoints import build_websocket_endpoint


def recorder(name: str, calls: list[str]) -> Any:
    async def middleware(websocket: Any, call_next: Any) -> None:
        calls.append(f"{name} before")
        await call_next()
        calls.append(f"{name} after")

    middleware.__qualname__ = name
    return middleware


class BothKinds:
    """An HTTP middleware that serves WebSockets too (as sessions and authentication do)."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    async def __call__(self, request: Any, response: Any, call_next: Any) -> Any:
        self.calls.append("http side")
        return await call_next()

    async def handle_websocket(self, websocket: Any, call_next: Any) -> None:
        websocket.scope["user"] = "ada"
        self.calls.append("both before")
        await call_next()
        self.calls.append("both after")


def test_layers_run_in_order_around_the_handler_and_http_ones_only_where_they_serve_websockets() -> None:
    calls: list[str] = []
    app = get_application()
    app.add_ws_middleware(recorder("app-ws", calls))
    app.add_middleware(BothKinds(calls))

    async def http_only(request: Any, response: Any, call_next: Any) -> Any:
        calls.append("http only")
        return await call_next()

    router = Router(prefix="/rooms", middleware=[http_only, BothKinds(calls)])

    @router.websocket("/{room}", middleware=[recorder("route", calls)])
    async def room(websocket: Any, room: str) -> None:
        calls.append(f"handler {room} {websocket.user}")
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    app.mount_router(router)
    with TestClient(app) as client, client.websocket_connect("/rooms/lobby") as ws:
        assert ws.receive_text() == "hi"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert calls == [
        "both before", "app-ws before", "both before", "route before", "handler lobby ada",
        "route after", "both after", "app-ws after", "both after",
    ]


def test_http_requests_never_pass_through_websocket_middleware() -> None:
    calls: list[str] = []
    app = get_application()
    app.add_ws_middleware(recorder("ws", calls))

    @app.get("/")
    async def index(request: Any, response: Any) -> str:
        return "ok"

    with TestClient(app) as client:
        assert client.get("/").text == "ok"
    assert calls == []


def test_a_middleware_that_does_not_call_next_refuses_the_handshake() -> None:
    app = get_application()
    reached: list[str] = []

    async def gatekeeper(websocket: Any, call_next: Any) -> None:
        if websocket.query_params.get("token") == "secret":
            await call_next()

    @app.websocket("/feed", middleware=[gatekeeper])
    async def feed(websocket: Any) -> None:
        reached.append("handler")
        await websocket.accept()
        await websocket.close()

    with TestClient(app) as client:
        with pytest.raises(WebSocketDenied) as denied, client.websocket_connect("/feed"):
            pass
        with client.websocket_connect("/feed?token=secret") as ws, pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert denied.value.status_code == 403 and reached == ["handler"]


def test_an_http_exception_before_accept_closes_with_1008() -> None:
    app = get_application()

    async def forbid(websocket: Any, call_next: Any) -> None:
        raise Forbidden(detail="not today")

    app.add_ws_middleware(forbid)

    @app.websocket("/ws")
    async def never(websocket: Any) -> None:  # pragma: no cover - refused before
        await websocket.accept()

    with TestClient(app) as client, pytest.raises(WebSocketDenied) as denied, client.websocket_connect("/ws"):
        pass
    assert denied.value.code == 1008


def test_upstream_asgi_form_and_function_form_work_together() -> None:
    calls: list[str] = []
    app = get_application()

    def asgi_wrapper(inner: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            calls.append("asgi")
            await inner(scope, receive, send)

        return wrapped

    app.add_ws_middleware(asgi_wrapper)
    app.add_ws_middleware(recorder("function", calls))

    @app.websocket("/ws")
    async def handler(websocket: Any) -> None:
        await websocket.accept()
        await websocket.close()

    with TestClient(app) as client, client.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect):
        ws.receive_text()
    assert calls == ["asgi", "function before", "function after"]


def test_middleware_added_after_start_up_applies_to_the_next_connection() -> None:
    calls: list[str] = []
    app = get_application()

    @app.websocket("/ws")
    async def handler(websocket: Any) -> None:
        await websocket.accept()
        await websocket.close()

    with TestClient(app) as client:
        with client.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect):
            ws.receive_text()
        app.add_ws_middleware(recorder("late", calls))
        with client.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert calls == ["late before", "late after"]


def test_a_route_without_middleware_is_served_by_its_plan_directly() -> None:
    async def plain(websocket: Any) -> None: ...

    route = WebSocketRoute("/plain", plain)
    route.bind()
    assert build_websocket_endpoint(route, App()) is None  # no wrapper, no extra frame
    app = App()
    app.add_ws_middleware(recorder("any", []))
    assert build_websocket_endpoint(route, app) is not None


def test_http_only_middleware_on_a_websocket_route_is_refused_at_registration() -> None:
    async def http_only(request: Any, response: Any, call_next: Any) -> Any: ...

    async def handler(websocket: Any) -> None: ...

    with pytest.raises(ImproperlyConfigured, match="cannot run on a WebSocket route '/ws'"):
        WebSocketRoute("/ws", handler, middleware=[http_only])
    with pytest.raises(ImproperlyConfigured, match="not a WebSocket middleware"):
        get_application().add_ws_middleware(http_only)

    def not_async(websocket: Any, call_next: Any) -> None: ...

    with pytest.raises(ImproperlyConfigured, match="must be `async def mw"):
        get_application().add_ws_middleware(not_async)  # was taken for an ASGI factory: failed at start-up

    def factory_with_an_option(asgi_app: Any, option: Any = None) -> Any:
        return asgi_app

    get_application().add_ws_middleware(factory_with_an_option)  # upstream's form, still accepted


def test_a_core_only_app_runs_websocket_middleware_too() -> None:
    from nexios_core import HandlerDispatcher

    calls: list[str] = []

    async def echo(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text("core")
        await websocket.close()

    app = App(dispatcher=HandlerDispatcher(websocket=echo))
    app.add_ws_middleware(recorder("core-ws", calls))
    with TestClient(app) as client, client.websocket_connect("/anything") as ws:
        assert ws.receive_text() == "core"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert calls == ["core-ws before", "core-ws after"]
