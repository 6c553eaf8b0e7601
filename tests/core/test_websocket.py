from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from nexios_core import WebSocket, WebSocketConsumer, WebSocketState, origin_is_allowed
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import WebSocketDisconnect, WebSocketException
from nexios_core.limits import LIMITS_SCOPE_KEY, MIB, Limits
from nexios_core.testclient import TestClient, WebSocketDenied
from nexios_core.types import ASGIApp, Message, Receive, Scope, Send

Handler = Callable[[WebSocket], Awaitable[None]]


def ws_app(handler: Any) -> App:
    return App(dispatcher=HandlerDispatcher(websocket=handler))


def with_limits(app: ASGIApp, limits: Limits) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        scope[LIMITS_SCOPE_KEY] = limits
        await app(scope, receive, send)

    return wrapped


# ------------------------------------------------------------------------ handshake
def test_accept_selects_one_of_the_offered_subprotocols_and_sends_headers() -> None:
    offered: list[list[str]] = []

    async def handler(ws: WebSocket) -> None:
        offered.append(ws.subprotocols)
        await ws.accept(subprotocol="chat.v2", headers={"x-server": "nexios"})
        await ws.close()

    client = TestClient(ws_app(handler))
    with client.websocket_connect("/ws", subprotocols=["chat.v1", "chat.v2"]) as session:
        assert session.accepted_subprotocol == "chat.v2"
        assert ("x-server", "nexios") in session.extra_headers
    assert offered == [["chat.v1", "chat.v2"]]


def test_accept_without_subprotocol_reports_none() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close()

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        assert session.accepted_subprotocol is None


def test_close_before_accept_denies_the_handshake_with_the_code() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.close(code=4403, reason="go away")

    with pytest.raises(WebSocketDenied) as denied:
        TestClient(ws_app(handler)).websocket_connect("/ws")
    assert denied.value.code == 4403
    assert denied.value.reason == "go away"
    assert denied.value.status_code == 403


def test_handshake_request_properties() -> None:
    seen: dict[str, Any] = {}

    async def handler(ws: WebSocket) -> None:
        seen.update(
            path=ws.path,
            scheme=ws.url.scheme,
            url=str(ws.url),
            query=ws.query_params.get("room"),
            header=ws.headers.get("x-token"),
            cookie=ws.cookies.get("sid"),
            client=ws.client,
            origin=ws.origin,
        )
        ws.state.seen_by_handler = True
        seen["scope_state"] = ws.scope["state"]
        await ws.accept()
        await ws.close()

    client = TestClient(ws_app(handler), cookies={"sid": "abc"})
    with client.websocket_connect("/chat?room=7", headers={"x-token": "t1", "origin": "http://testserver"}):
        pass
    assert seen["path"] == "/chat"
    assert seen["scheme"] == "ws"
    assert seen["url"] == "ws://testserver/chat?room=7"
    assert seen["query"] == "7"
    assert seen["header"] == "t1"
    assert seen["cookie"] == "abc"
    assert seen["client"].host == "testclient"
    assert seen["origin"] == "http://testserver"
    assert seen["scope_state"].seen_by_handler is True


def test_states_follow_accept_and_close() -> None:
    states: list[tuple[str, str]] = []

    async def handler(ws: WebSocket) -> None:
        states.append((ws.client_state.name, ws.application_state.name))
        await ws.accept()
        states.append((ws.client_state.name, ws.application_state.name))
        await ws.close()
        states.append((ws.client_state.name, ws.application_state.name))

    with TestClient(ws_app(handler)).websocket_connect("/ws"):
        pass
    assert states == [
        ("CONNECTING", "CONNECTING"),
        ("CONNECTED", "CONNECTED"),
        ("CONNECTED", "DISCONNECTED"),
    ]


# ------------------------------------------------------------------------ round trips
async def echo(ws: WebSocket) -> None:
    await ws.accept()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await ws.send_text("text:" + message["text"])
            else:
                await ws.send_bytes(b"bytes:" + message["bytes"])
    except WebSocketDisconnect:
        return


def test_text_and_bytes_round_trip() -> None:
    with TestClient(ws_app(echo)).websocket_connect("/ws") as session:
        session.send_text("héllo")
        assert session.receive_text() == "text:héllo"
        session.send_bytes(b"\x00\xff")
        assert session.receive_bytes() == b"bytes:\x00\xff"


def test_json_round_trip_in_text_and_binary_frames() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        data = await ws.receive_json()
        await ws.send_json({"got": data})
        data = await ws.receive_json()
        await ws.send_json({"got": data}, mode="binary")
        await ws.close()

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.send_json({"n": 1, "s": "ü"})
        assert session.receive_json() == {"got": {"n": 1, "s": "ü"}}
        session.send_json([1, 2], mode="binary")
        assert session.receive_bytes() == b'{"got":[1,2]}'


def test_receive_text_decodes_binary_utf8_and_receive_bytes_encodes_text() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text(repr(await ws.receive_text()))
        await ws.send_text(repr(await ws.receive_bytes()))
        await ws.close()

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.send_bytes("é".encode())
        assert session.receive_text() == "'é'"
        session.send_text("é")
        assert session.receive_text() == repr("é".encode())


def test_binary_frame_that_is_not_utf8_closes_1007_for_receive_text() -> None:
    codes: list[int] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await ws.receive_text()
        except WebSocketDisconnect as exc:
            codes.append(exc.code)

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.send_bytes(b"\xff\xfe")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1007
    assert codes == [1007]


# ------------------------------------------------------------------------ iteration
def test_async_iteration_over_text_ends_cleanly_when_the_client_leaves() -> None:
    received: list[str] = []
    endings: list[int | None] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        async for text in ws:
            received.append(text)
            await ws.send_text(text.upper())
        endings.append(ws.close_code)

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        for word in ("a", "b", "c"):
            session.send_text(word)
            assert session.receive_text() == word.upper()
        session.close(code=4001)
    assert received == ["a", "b", "c"]
    assert endings == [4001]


def test_iter_bytes_and_iter_json() -> None:
    collected: list[Any] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        if ws.path == "/bytes":
            async for data in ws.iter_bytes():
                collected.append(data)
        else:
            async for value in ws.iter_json():
                collected.append(value)
        collected.append("end")

    client = TestClient(ws_app(handler))
    with client.websocket_connect("/bytes") as session:
        session.send_bytes(b"1")
        session.send_bytes(b"2")
    assert collected == [b"1", b"2", "end"]
    collected.clear()
    with client.websocket_connect("/json") as session:
        session.send_json({"a": 1})
        session.send_json([True])
    assert collected == [{"a": 1}, [True], "end"]


# ------------------------------------------------------------------------ closing
def test_server_close_code_and_reason_reach_the_client() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close(code=4000, reason="bye")
        await ws.close(code=4999)  # closing twice is harmless

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 4000
    assert closed.value.reason == "bye"


def test_client_disconnect_raises_websocket_disconnect_with_its_code() -> None:
    caught: list[tuple[int, str]] = []
    after: list[str] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await ws.receive_text()
        except WebSocketDisconnect as exc:
            caught.append((exc.code, exc.reason))
        try:
            await ws.receive_text()
        except WebSocketDisconnect:
            after.append("raised again")

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.close(code=4010, reason="done")
    assert caught == [(4010, "done")]
    assert after == ["raised again"]


def test_sending_after_the_client_left_raises_websocket_disconnect() -> None:
    outcome: list[Any] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        message = await ws.receive()
        outcome.append(message["type"])
        try:
            await ws.send_text("too late")
        except WebSocketDisconnect as exc:
            outcome.append(exc.code)
        except RuntimeError as exc:
            outcome.append(str(exc))

    with TestClient(ws_app(handler)).websocket_connect("/ws"):
        pass
    # The disconnect was received, so the WebSocket knows it is closed and refuses to send.
    assert outcome[0] == "websocket.disconnect"
    assert "closed" in outcome[1]


@pytest.mark.anyio
async def test_a_transport_error_on_send_becomes_disconnect_1006() -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        if message["type"] == "websocket.send":
            raise ConnectionResetError("peer vanished")  # what servers raise for a dead peer
        sent.append(message)

    ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    await ws.accept()
    with pytest.raises(WebSocketDisconnect) as gone:
        await ws.send_text("x")
    assert gone.value.code == 1006
    assert ws.application_state is WebSocketState.DISCONNECTED
    assert [m["type"] for m in sent] == ["websocket.accept"]


def test_handler_exception_closes_the_connection_with_1011() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_text()
        raise ValueError("boom")

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.send_text("x")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1011


# ------------------------------------------------------------------------ limits and bad input
@pytest.mark.parametrize("kind", ["text", "bytes"])
def test_message_size_limit_default_is_one_mib(kind: str) -> None:
    codes: list[int] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                data = await (ws.receive_text() if kind == "text" else ws.receive_bytes())
                await ws.send_text(f"ok {len(data)}")
        except WebSocketDisconnect as exc:
            codes.append(exc.code)

    def payload(size: int) -> Any:
        return "x" * size if kind == "text" else b"x" * size

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        send = session.send_text if kind == "text" else session.send_bytes
        send(payload(MIB))
        assert session.receive_text() == f"ok {MIB}"
        send(payload(MIB + 1))
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1009
    assert codes == [1009]


def test_message_size_limit_comes_from_the_scope_and_counts_utf8_bytes() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        async for text in ws:
            await ws.send_text(f"ok {len(text)}")

    app = with_limits(ws_app(handler), Limits(max_websocket_message_size=10))
    with TestClient(app).websocket_connect("/ws") as session:
        session.send_text("é" * 5)  # 10 bytes: just at the limit
        assert session.receive_text() == "ok 5"
        session.send_text("é" * 5 + "x")  # 11 bytes
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1009


def test_bad_json_closes_1007() -> None:
    codes: list[int] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await ws.send_json(await ws.receive_json())
            await ws.receive_json()
        except WebSocketDisconnect as exc:
            codes.append(exc.code)

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.send_text('{"fine": true}')
        assert session.receive_json() == {"fine": True}
        session.send_text("{not json")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1007
    assert codes == [1007]


def test_iter_json_stops_after_bad_json_with_close_code_1007() -> None:
    ends: list[int | None] = []

    async def handler(ws: WebSocket) -> None:
        await ws.accept()
        async for _ in ws.iter_json():
            pass
        ends.append(ws.close_code)

    with TestClient(ws_app(handler)).websocket_connect("/ws") as session:
        session.send_text("[1, NaN]")
        with pytest.raises(WebSocketDisconnect):
            session.receive_text()
    assert ends == [1007]


# ------------------------------------------------------------------------ origin check
def scope_with(*headers: tuple[str, str], scheme: str | None = None) -> Scope:
    origin = dict(headers).get("origin", "")
    return {
        "type": "websocket",
        "path": "/",
        # The connection's scheme matches the page's unless a test says otherwise.
        "scheme": scheme or ("wss" if origin.startswith("https:") else "ws"),
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
    }


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://example.com", "example.com"),
        ("https://example.com", "example.com"),
        ("http://example.com:8000", "example.com:8000"),
        ("https://example.com", "example.com:443"),
        ("http://EXAMPLE.com", "example.COM"),
        ("http://[::1]:8000", "[::1]:8000"),
    ],
)
def test_same_origin_is_allowed_by_default(origin: str, host: str) -> None:
    assert origin_is_allowed(scope_with(("host", host), ("origin", origin)), None) is True


@pytest.mark.parametrize(
    ("origin", "scheme"),
    [("https://example.com", "ws"), ("http://example.com", "wss"), ("https://example.com:80", "ws")],
)
def test_same_host_with_another_scheme_is_not_same_origin(origin: str, scheme: str) -> None:
    # Regression (hostile input round 2, item 9): the scheme used to be ignored, so a page on
    # https://host could open ws://host (and the reverse) under the default same-origin policy.
    assert origin_is_allowed(scope_with(("host", "example.com"), ("origin", origin), scheme=scheme), None) is False


def test_a_scope_without_a_scheme_is_a_plain_ws_connection() -> None:
    scope = scope_with(("host", "example.com"), ("origin", "http://example.com"))
    del scope["scheme"]
    assert origin_is_allowed(scope, None) is True
    scope["headers"] = [(b"host", b"example.com"), (b"origin", b"https://example.com")]
    assert origin_is_allowed(scope, None) is False


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://evil.example", "example.com"),
        ("http://example.com:8001", "example.com:8000"),
        ("http://example.com", "example.com:443"),
        ("http://example.com.evil.example", "example.com"),
        ("null", "example.com"),
        ("file://", "example.com"),
        ("http://example.com/path", "example.com"),
        ("http://user@example.com", "example.com"),
        ("http://example.com:notaport", "example.com"),
    ],
)
def test_cross_origin_is_refused_by_default(origin: str, host: str) -> None:
    assert origin_is_allowed(scope_with(("host", host), ("origin", origin)), None) is False


def test_origin_without_host_header_is_refused_by_default() -> None:
    assert origin_is_allowed(scope_with(("origin", "http://example.com")), None) is False


def test_no_origin_header_is_allowed_whatever_the_setting() -> None:
    scope = scope_with(("host", "example.com"))
    assert origin_is_allowed(scope, None) is True
    assert origin_is_allowed(scope, []) is True
    assert origin_is_allowed(scope, ["https://app.example"]) is True


def test_allowlist_needs_an_exact_match() -> None:
    allowed = ["https://app.example", "http://localhost:3000"]
    host = ("host", "api.example")
    assert origin_is_allowed(scope_with(host, ("origin", "https://app.example")), allowed) is True
    assert origin_is_allowed(scope_with(host, ("origin", "http://localhost:3000")), allowed) is True
    for refused in ("http://app.example", "https://app.example:443", "https://evil.example",
                    "https://app.example.evil.example", "http://localhost:3001"):
        assert origin_is_allowed(scope_with(host, ("origin", refused)), allowed) is False, refused
    # The allowlist replaces the same-origin rule rather than adding to it.
    assert origin_is_allowed(scope_with(("host", "api.example"), ("origin", "http://api.example")), allowed) is False


def test_star_allows_any_origin() -> None:
    scope = scope_with(("host", "example.com"), ("origin", "https://anything.example"))
    assert origin_is_allowed(scope, ["*"]) is True


def test_several_origin_headers_are_refused() -> None:
    scope = scope_with(("host", "a.example"), ("origin", "http://a.example"), ("origin", "http://b.example"))
    assert origin_is_allowed(scope, None) is False
    assert origin_is_allowed(scope, ["*"]) is False


# ------------------------------------------------------------------------ consumers
class Echo(WebSocketConsumer):
    encoding = "json"

    def __init__(self) -> None:
        self.count = 0
        self.disconnects: list[int] = []

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        self.count += 1
        await websocket.send_json({"echo": data, "count": self.count})

    async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
        DISCONNECTS.append(close_code)


DISCONNECTS: list[int] = []


def test_consumer_instance_serves_each_connection_with_its_own_state() -> None:
    DISCONNECTS.clear()
    client = TestClient(ws_app(Echo()))
    with client.websocket_connect("/") as first:
        first.send_json("a")
        assert first.receive_json() == {"echo": "a", "count": 1}
        first.send_json("b")
        assert first.receive_json() == {"echo": "b", "count": 2}
        with client.websocket_connect("/") as second:
            second.send_json("c")
            assert second.receive_json() == {"echo": "c", "count": 1}
        first.close(code=4002)
    assert DISCONNECTS == [1000, 4002]


def test_consumer_as_handler_and_encodings() -> None:
    class Upper(WebSocketConsumer):
        encoding = "text"

        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            assert isinstance(data, str)
            await websocket.send_text(data.upper())

    class Length(WebSocketConsumer):
        encoding = "bytes"

        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            assert isinstance(data, bytes)
            await websocket.send_text(str(len(data)))

    with TestClient(ws_app(Upper.as_handler())).websocket_connect("/") as session:
        session.send_text("hi")
        assert session.receive_text() == "HI"
    with TestClient(ws_app(Length.as_handler())).websocket_connect("/") as session:
        session.send_bytes(b"abc")
        assert session.receive_text() == "3"


def test_consumer_on_connect_can_refuse() -> None:
    class Private(WebSocketConsumer):
        async def on_connect(self, websocket: WebSocket) -> None:
            if websocket.query_params.get("token") != "secret":
                await websocket.close(code=4401)
                return
            await websocket.accept()

    client = TestClient(ws_app(Private()))
    with pytest.raises(WebSocketDenied) as denied:
        client.websocket_connect("/")
    assert denied.value.code == 4401
    with client.websocket_connect("/?token=secret") as session:
        session.close()


def test_consumer_websocket_exception_closes_with_its_code() -> None:
    codes: list[int] = []

    class Strict(WebSocketConsumer):
        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            raise WebSocketException(4422, "nope")

        async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
            codes.append(close_code)

    with TestClient(ws_app(Strict())).websocket_connect("/") as session:
        session.send_text("x")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert (closed.value.code, closed.value.reason) == (4422, "nope")
    assert codes == [4422]


def test_consumer_error_closes_1011_and_reaches_on_disconnect() -> None:
    codes: list[int] = []

    class Broken(WebSocketConsumer):
        async def on_receive(self, websocket: WebSocket, data: Any) -> None:
            raise KeyError("missing")

        async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
            codes.append(close_code)

    with TestClient(ws_app(Broken())).websocket_connect("/") as session:
        session.send_text("x")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1011
    assert codes == [1011]


def test_consumer_json_encoding_closes_1007_on_bad_json() -> None:
    DISCONNECTS.clear()
    with TestClient(ws_app(Echo())).websocket_connect("/") as session:
        session.send_text("{oops")
        with pytest.raises(WebSocketDisconnect) as closed:
            session.receive_text()
    assert closed.value.code == 1007
    assert DISCONNECTS == [1007]


def test_handshake_can_be_refused_with_an_http_response() -> None:
    async def handler(ws: WebSocket) -> None:
        await ws.send({"type": "websocket.http.response.start", "status": 401, "headers": []})
        await ws.send({"type": "websocket.http.response.body", "body": b"token required"})
        assert ws.application_state is WebSocketState.DISCONNECTED
        await ws.close()  # nothing left to close: a no-op

    with pytest.raises(WebSocketDenied) as denied:
        TestClient(ws_app(handler)).websocket_connect("/ws")
    assert (denied.value.status_code, denied.value.body) == (401, b"token required")


@pytest.mark.anyio
async def test_raw_send_refuses_messages_invalid_in_the_current_state() -> None:
    transport_sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        transport_sent.append(message)

    ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    with pytest.raises(RuntimeError, match="before the WebSocket is accepted"):
        await ws.send_text("too early")
    await ws.accept()
    with pytest.raises(RuntimeError, match="open WebSocket"):
        await ws.send({"type": "websocket.accept"})
    await ws.close()
    with pytest.raises(RuntimeError, match="closed"):
        await ws.send_text("too late")
    assert [m["type"] for m in transport_sent] == ["websocket.accept", "websocket.close"]
    with pytest.raises(ValueError):
        WebSocket({"type": "http", "path": "/", "headers": []}, receive, send)
