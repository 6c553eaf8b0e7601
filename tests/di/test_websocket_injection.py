"""Dependency injection and typed values in WebSocket handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nexios import Depend, Router, get_application
from nexios.dependencies import Header, Path, Query
from nexios.testclient import TestClient
from nexios_core.exceptions import HTTPException, WebSocketException
from nexios_core.testclient import WebSocketDenied
from nexios_core.websocket import WebSocket


def test_websocket_handler_gets_dependencies_query_and_path_values() -> None:
    app = get_application()
    events: list[str] = []

    async def connection_log(websocket: WebSocket) -> AsyncIterator[str]:
        events.append(f"open {websocket.url.path}")
        yield "log"
        events.append("closed")

    def room_name(room: str, prefix: str = Query("#")) -> str:
        return prefix + room

    @app.ws_route("/rooms/{room}/{seat:int}")
    async def chat(websocket: WebSocket, seat: int, name: str = Depend(room_name), log: str = Depend(connection_log),
                   limit: int = Query(3, ge=1), x_client: str = Header("unknown")) -> None:
        await websocket.accept()
        await websocket.send_json({"room": name, "seat": seat, "limit": limit, "log": log, "client": x_client})
        message = await websocket.receive_text()
        await websocket.send_text(message.upper())
        await websocket.close()

    client = TestClient(app)
    with client.websocket_connect("/rooms/lobby/4?limit=5&prefix=%40", headers={"X-Client": "t"}) as session:
        assert session.receive_json() == {"room": "@lobby", "seat": 4, "limit": 5, "log": "log", "client": "t"}
        session.send_text("hi")
        assert session.receive_text() == "HI"
    assert events == ["open /rooms/lobby/4", "closed"]


def test_websocket_path_constraint_and_unannotated_first_parameter() -> None:
    app = get_application()

    @app.ws_route("/games/{game_id:int}/watch")
    async def watch(ws, game_id: int = Path(ge=1)) -> None:  # type: ignore[no-untyped-def]
        await ws.accept()
        await ws.send_text(str(game_id))
        await ws.close()

    client = TestClient(app)
    with client.websocket_connect("/games/9/watch") as session:
        assert session.receive_text() == "9"
    with pytest.raises(WebSocketDenied):
        with client.websocket_connect("/games/0/watch"):
            pass


def test_websocket_path_value_from_a_router_prefix() -> None:
    app = get_application()
    router = Router(prefix="/games/{game_id:int}")

    @router.ws_route("/watch")
    async def watch(ws, game_id: int) -> None:  # type: ignore[no-untyped-def]
        await ws.accept()
        await ws.send_text(str(game_id + 1))
        await ws.close()

    app.mount_router(router)
    with TestClient(app).websocket_connect("/games/9/watch") as session:
        assert session.receive_text() == "10"


def test_websocket_generator_sees_the_handler_error() -> None:
    app = get_application()
    events: list[str] = []

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        except ValueError as exc:
            events.append(f"saw {exc}")
            raise

    @app.ws_route("/ws")
    async def handler(websocket: WebSocket, r: None = Depend(resource)) -> None:
        await websocket.accept()
        raise ValueError("broken socket")

    with TestClient(app).websocket_connect("/ws") as session:
        message = session.receive()
        assert message["type"] == "websocket.close"
        assert message["code"] == 1011
    assert events == ["saw broken socket"]


def test_websocket_validation_failure_refuses_the_connection_without_a_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = get_application()

    @app.ws_route("/ws")
    async def handler(websocket: WebSocket, limit: int = Query()) -> None:
        await websocket.accept()
        await websocket.close()

    with pytest.raises(WebSocketDenied) as denied:
        with TestClient(app).websocket_connect("/ws?limit=abc"):
            pass
    # A policy refusal naming the field, not an internal error (1011) logged as a crash.
    assert denied.value.code == 1008
    assert "query.limit" in denied.value.reason
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_websocket_dependency_refusing_with_http_exception_closes_before_accept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = get_application()

    def require_token(token: str = Query("")) -> None:
        if token != "ok":
            raise HTTPException(403, detail="forbidden")

    @app.ws_route("/ws", dependencies=[Depend(require_token)])
    async def handler(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("welcome")
        await websocket.close()

    client = TestClient(app)
    with client.websocket_connect("/ws?token=ok") as session:
        assert session.receive_text() == "welcome"
    with pytest.raises(WebSocketDenied) as denied:
        with client.websocket_connect("/ws?token=bad"):
            pass
    assert denied.value.code == 1008
    assert denied.value.reason == "forbidden"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_websocket_refusal_reason_stays_within_the_protocol_limit() -> None:
    app = get_application()

    @app.ws_route("/ws")
    async def handler(websocket: WebSocket, a_very_long_parameter_name_number_one: int = Query(),
                      a_very_long_parameter_name_number_two: int = Query(),
                      a_very_long_parameter_name_number_three: int = Query()) -> None:
        await websocket.accept()

    with pytest.raises(WebSocketDenied) as denied:
        with TestClient(app).websocket_connect("/ws"):
            pass
    assert denied.value.code == 1008
    assert 0 < len(denied.value.reason.encode("utf-8")) <= 123


def test_deliberate_close_after_accept_keeps_its_code() -> None:
    app = get_application()

    @app.ws_route("/ws")
    async def handler(websocket: WebSocket) -> None:
        await websocket.accept()
        raise WebSocketException(4000, "custom close")

    with TestClient(app).websocket_connect("/ws") as session:
        message = session.receive()
        assert (message["type"], message["code"]) == ("websocket.close", 4000)
