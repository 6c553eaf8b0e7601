"""The examples of ``docs/websockets.md`` do what the page says they do."""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

import pytest

from nexios import Depend, get_application
from nexios.exceptions import WebSocketDisconnect
from nexios.testclient import TestClient
from nexios_core.testclient import WebSocketDenied
from tests.support.doc_examples import load


@pytest.fixture(scope="module")
def websockets_example() -> ModuleType:
    return load("websocket_chat.py")


def test_websocket_echo_and_disconnect(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "Echo: hi"
    with http.websocket_connect("/echo") as ws:
        ws.send_text("x" * (1024 * 1024 + 1))  # over the default 1 MiB
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert closed.value.code == 1009
    assert 1009 in websockets_example.left


def test_websocket_parameters_and_close_codes(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/rooms/lobby?nickname=ann") as ws:
        assert ws.receive_json() == {"room": "lobby", "nickname": "ann"}
        ws.send_json({"a": 1})
        assert ws.receive_json() == {"room": "lobby", "echo": {"a": 1}}
    with pytest.raises(WebSocketDenied) as denied:
        http.websocket_connect("/private")
    assert (denied.value.code, denied.value.status_code) == (1008, 403)
    with http.websocket_connect("/private?token=let-me-in") as ws:
        assert ws.receive_text() == "welcome"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert (closed.value.code, closed.value.reason) == (4000, "Bye for now")
    with pytest.raises(WebSocketDenied):
        http.websocket_connect("/no-such-socket")


def test_http_exception_in_a_websocket_handler_closes_with_1008() -> None:
    from nexios.dependencies import Query
    from nexios.exceptions import Forbidden

    app = get_application()

    def must_be_admin(role: str = Query("guest")) -> None:
        if role != "admin":
            raise Forbidden(detail="Admins only")

    @app.websocket("/admin")
    async def admin(ws: Any, _: None = Depend(must_be_admin)) -> None:
        await ws.accept()
        await ws.close()

    @app.websocket("/count")
    async def count(ws: Any, start: int = Query(0)) -> None:
        await ws.accept()
        await ws.close()

    http = TestClient(app)
    with pytest.raises(WebSocketDenied) as denied:
        http.websocket_connect("/admin")
    assert (denied.value.code, denied.value.reason, denied.value.status_code) == (1008, "Admins only", 403)
    with pytest.raises(WebSocketDenied) as invalid:
        http.websocket_connect("/count?start=abc")
    assert invalid.value.code == 1008
    http.websocket_connect("/admin?role=admin").close()


def test_websocket_route_limits(websockets_example: ModuleType) -> None:
    with TestClient(websockets_example.app).websocket_connect("/uploads") as ws:
        ws.send_bytes(b"x" * 1000)
        assert ws.receive_json() == {"received": 1000}
        ws.send_bytes(b"x" * (64 * 1024 + 1))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1009


def test_websocket_origin_policy(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/echo", headers={"origin": "https://app.example.com"}) as ws:
        ws.send_text("ok")
        assert ws.receive_text() == "Echo: ok"
    for origin in ("https://evil.example", "http://testserver"):
        with pytest.raises(WebSocketDenied) as denied:
            http.websocket_connect("/echo", headers={"origin": origin})
        assert (denied.value.code, denied.value.status_code) == (1008, 403)
    with http.websocket_connect("/widget", headers={"origin": "https://evil.example"}) as ws:
        assert ws.receive_text() == "hello from https://evil.example"
    same_origin = get_application()

    @same_origin.websocket("/ws")
    async def ws_handler(ws: Any) -> None:
        await ws.accept()
        await ws.close()

    TestClient(same_origin).websocket_connect("/ws", headers={"origin": "http://testserver"}).close()
    with pytest.raises(WebSocketDenied):
        TestClient(same_origin).websocket_connect("/ws", headers={"origin": "http://elsewhere"})


def test_consumer_groups_broadcast_to_their_room_only(websockets_example: ModuleType) -> None:
    http = TestClient(websockets_example.app)
    with http.websocket_connect("/chat/a") as one, http.websocket_connect("/chat/a") as two, \
            http.websocket_connect("/chat/b") as other:
        one.send_json({"user": "ann", "text": "hello"})
        assert one.receive_json() == two.receive_json() == {"from": "ann", "text": "hello"}
        with pytest.raises(TimeoutError):
            other.receive_json(timeout=0.2)
        two.send_json(["not", "a", "message"])
        with pytest.raises(WebSocketDisconnect) as closed:
            two.receive_json()
        assert closed.value.code == 1007


def test_function_middleware_runs_for_websockets_only_when_it_serves_them() -> None:
    # SessionMiddleware serves WebSockets too (handle_websocket); `note` is HTTP-only.
    from nexios.session.middleware import SessionMiddleware

    app = get_application(config={"secret_key": "k" * 32})
    app.add_middleware(SessionMiddleware())
    seen: list[str] = []

    @app.middleware
    async def note(request: Any, response: Any, call_next: Any) -> Any:
        seen.append(request.path)
        return await call_next()

    @app.websocket("/ws")
    async def handler(ws: Any) -> None:
        await ws.accept()
        await ws.send_json({"user": ws.user, "has_session": "session" in ws.scope})
        await ws.close()

    with TestClient(app) as http, http.websocket_connect("/ws") as ws:
        assert ws.receive_json() == {"user": None, "has_session": True}
    assert seen == []


def test_websocket_handler_error_closes_with_1011(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()

    @app.websocket("/bug")
    async def bug(ws: Any) -> None:
        await ws.accept()
        raise RuntimeError("bug")

    with caplog.at_level(logging.CRITICAL), TestClient(app).websocket_connect("/bug") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1011
