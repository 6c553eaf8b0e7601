from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from nexios_core import EventSourceResponse, Response, StreamingResponse
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import WebSocketDisconnect
from nexios_core.request import Request
from nexios_core.testclient import AsyncTestClient, LifespanFailed, TestClient, WebSocketDenied
from nexios_core.types import Message, Receive, Scope, Send


def http_app(handler: Any, **options: Any) -> App:
    return App(dispatcher=HandlerDispatcher(http=handler), **options)


async def describe(request: Request, response: Response) -> Any:
    return {
        "method": request.method,
        "path": request.path,
        "url": str(request.url),
        "query": dict(request.query_params),
        "user_agent": request.headers.get("user-agent"),
        "x_custom": request.headers.get("x-custom"),
        "client": request.client.host if request.client else None,
        "body": (await request.body).decode(),
    }


# ------------------------------------------------------------------------ plain requests
def test_requests_reach_the_app_with_method_path_query_headers_and_body() -> None:
    client = TestClient(http_app(describe), headers={"x-custom": "yes"})
    data = client.post("/items?x=1", content=b"payload").json()
    assert data == {
        "method": "POST",
        "path": "/items",
        "url": "http://testserver/items?x=1",
        "query": {"x": "1"},
        "user_agent": "testclient",
        "x_custom": "yes",
        "client": "testclient",
        "body": "payload",
    }


def test_base_url_and_root_path_shape_the_request_url() -> None:
    client = TestClient(http_app(describe), base_url="https://api.example", root_path="/v1")
    data = client.get("/items").json()
    assert data["path"] == "/items"
    assert data["url"] == "https://api.example/v1/items"


def test_streaming_request_body_arrives_in_chunks() -> None:
    async def count_chunks(request: Request, response: Response) -> Any:
        chunks = [chunk async for chunk in request.stream()]
        return {"chunks": len(chunks), "body": b"".join(chunks).decode()}

    def body() -> Iterator[bytes]:
        yield b"one,"
        yield b"two,"
        yield b"three"

    assert TestClient(http_app(count_chunks)).post("/", content=body()).json() == {
        "chunks": 3,
        "body": "one,two,three",
    }


def test_cookies_set_by_the_app_are_sent_back() -> None:
    async def handler(request: Request, response: Response) -> Any:
        if request.path == "/login":
            response.set_cookie("sid", "s3cret")
            return {"ok": True}
        return {"sid": request.cookies.get("sid"), "theme": request.cookies.get("theme")}

    client = TestClient(http_app(handler), cookies={"theme": "dark"})
    assert client.get("/me").json() == {"sid": None, "theme": "dark"}
    client.get("/login")
    assert client.get("/me").json() == {"sid": "s3cret", "theme": "dark"}


def test_redirects_are_followed_unless_disabled() -> None:
    async def handler(request: Request, response: Response) -> Any:
        if request.path == "/old":
            return response.redirect("/new")
        return {"at": request.path}

    assert TestClient(http_app(handler)).get("/old").json() == {"at": "/new"}
    response = TestClient(http_app(handler), follow_redirects=False).get("/old")
    assert response.status_code == 302
    assert response.headers["location"] == "/new"


def test_background_tasks_have_run_when_the_call_returns() -> None:
    done: list[str] = []

    async def handler(request: Request, response: Response) -> Any:
        response.add_background_task(done.append, "task ran")
        return {"ok": True}

    assert TestClient(http_app(handler)).get("/").json() == {"ok": True}
    assert done == ["task ran"]


# ------------------------------------------------------------------------ server errors
async def crashing_asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        raise RuntimeError("crashed before answering")


async def crash_mid_body(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise RuntimeError("crashed mid-body")


def test_app_exceptions_are_raised_in_the_test_by_default() -> None:
    with pytest.raises(RuntimeError, match="crashed before answering"):
        TestClient(crashing_asgi_app).get("/")
    with pytest.raises(RuntimeError, match="crashed mid-body"):
        TestClient(crash_mid_body).get("/")


def test_app_exceptions_become_500_when_not_raised() -> None:
    client = TestClient(crashing_asgi_app, raise_server_exceptions=False)
    assert client.get("/").status_code == 500
    response = TestClient(crash_mid_body, raise_server_exceptions=False).get("/")
    assert (response.status_code, response.content) == (200, b"partial")


# ------------------------------------------------------------------------ lifespan
def test_with_block_runs_startup_and_shutdown_hooks() -> None:
    events: list[str] = []

    async def handler(request: Request, response: Response) -> Any:
        events.append("request")
        return {"db": request.app.state.db}

    async def start() -> None:
        events.append("startup")
        app.state.db = "connected"

    app = http_app(handler, on_startup=[start], on_shutdown=[lambda: events.append("shutdown")])
    with TestClient(app) as client:
        assert events == ["startup"]
        assert client.get("/").json() == {"db": "connected"}
    assert events == ["startup", "request", "shutdown"]


def test_without_with_block_lifespan_does_not_run() -> None:
    events: list[str] = []
    app = http_app(describe, on_startup=[lambda: events.append("startup")])
    TestClient(app).get("/")
    assert events == []


def test_failing_startup_raises_in_the_test() -> None:
    def broken() -> None:
        raise ConnectionError("database unreachable")

    with pytest.raises(LifespanFailed, match="database unreachable"):
        with TestClient(http_app(describe, on_startup=[broken])):
            pass  # pragma: no cover - never reached


def test_failing_shutdown_raises_in_the_test() -> None:
    def broken() -> None:
        raise OSError("flush failed")

    with pytest.raises(LifespanFailed, match="flush failed"):
        with TestClient(http_app(describe, on_shutdown=[broken])):
            pass


def test_raw_app_lifespan_messages_and_state() -> None:
    received: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                received.append(message["type"])
                if message["type"] == "lifespan.startup":
                    scope["state"]["pool"] = "ready"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        else:
            body = scope["state"]["pool"].encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})

    with TestClient(app) as client:
        assert client.get("/").content == b"ready"
    assert received == ["lifespan.startup", "lifespan.shutdown"]


def test_app_without_lifespan_support_still_serves() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # ignores lifespan entirely
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with TestClient(app) as client:
        assert client.get("/").status_code == 204


# ------------------------------------------------------------------------ streaming responses
def test_streaming_response_is_read_incrementally() -> None:
    gate = threading.Event()
    gate_was_open: list[bool] = []

    async def handler(request: Request, response: Response) -> Any:
        async def produce() -> AsyncIterator[bytes]:
            yield b"first"
            # Only continue once the test has read the first chunk: a client that buffered the
            # whole body would never let this happen before the timeout.
            gate_was_open.append(await anyio.to_thread.run_sync(gate.wait, 5))
            yield b"second"

        return StreamingResponse(produce())

    with TestClient(http_app(handler)) as client:
        with client.stream("GET", "/") as response:
            chunks = response.iter_bytes()
            assert next(chunks) == b"first"
            gate.set()
            assert next(chunks) == b"second"
    assert gate_was_open == [True]


def test_server_sent_events_arrive_one_by_one_and_closing_stops_the_producer() -> None:
    cleaned_up: list[str] = []

    async def handler(request: Request, response: Response) -> Any:
        async def events() -> AsyncIterator[dict[str, int]]:
            try:
                n = 0
                while True:  # endless: only the client leaving ends it
                    n += 1
                    yield {"n": n}
                    await anyio.sleep(0.01)
            finally:
                cleaned_up.append("producer closed")

        return EventSourceResponse(events())

    client = TestClient(http_app(handler))
    with client.stream("GET", "/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        data_lines = []
        for line in response.iter_lines():
            if line.startswith("data:"):
                data_lines.append(line)
            if len(data_lines) == 3:
                break
    assert data_lines == ['data: {"n":1}', 'data: {"n":2}', 'data: {"n":3}']
    assert cleaned_up == ["producer closed"]


def test_unread_stream_is_closed_with_the_client() -> None:
    cleaned_up: list[str] = []

    async def handler(request: Request, response: Response) -> Any:
        async def forever() -> AsyncIterator[bytes]:
            try:
                while True:
                    yield b"tick"
                    await anyio.sleep(0.01)
            finally:
                cleaned_up.append("closed")

        return StreamingResponse(forever())

    with TestClient(http_app(handler)) as client:
        response = client.send(client.build_request("GET", "/"), stream=True)
        assert response.status_code == 200
    assert cleaned_up == ["closed"]


# ------------------------------------------------------------------------ WebSocket sessions
async def ws_echo_or_refuse(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    if scope["path"] == "/refuse":
        await send({"type": "websocket.close", "code": 4003, "reason": "not you"})
        return
    if scope["path"] == "/http-deny":
        await send({"type": "websocket.http.response.start", "status": 401,
                    "headers": [(b"www-authenticate", b"Bearer")]})
        await send({"type": "websocket.http.response.body", "body": b"login first"})
        return
    await send({"type": "websocket.accept", "subprotocol": (scope["subprotocols"] or [None])[-1]})
    while True:
        message: Message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "crash":
            raise RuntimeError("handler crashed")
        await send({"type": "websocket.send", **{k: v for k, v in message.items() if k != "type"}})


def test_websocket_session_round_trips_and_subprotocol() -> None:
    client = TestClient(ws_echo_or_refuse)
    with client.websocket_connect("/ws", subprotocols=["v1", "v2"]) as session:
        assert session.accepted_subprotocol == "v2"
        session.send_text("hello")
        assert session.receive_text() == "hello"
        session.send_bytes(b"\x00")
        assert session.receive_bytes() == b"\x00"
        session.send_json({"a": 1})
        assert session.receive_json() == {"a": 1}
        with pytest.raises(TimeoutError):
            session.receive(timeout=0.05)


def test_websocket_refusals_raise_websocket_denied() -> None:
    client = TestClient(ws_echo_or_refuse)
    with pytest.raises(WebSocketDenied) as closed:
        client.websocket_connect("/refuse")
    assert (closed.value.code, closed.value.reason, closed.value.status_code) == (4003, "not you", 403)
    with pytest.raises(WebSocketDenied) as answered:
        client.websocket_connect("/http-deny")
    assert answered.value.status_code == 401
    assert answered.value.body == b"login first"
    assert ("www-authenticate", "Bearer") in answered.value.headers


def test_websocket_app_exception_is_raised_in_the_test() -> None:
    with TestClient(ws_echo_or_refuse).websocket_connect("/ws") as session:
        session.send_text("crash")
        with pytest.raises(RuntimeError, match="handler crashed"):
            session.receive_text()


def test_websocket_sessions_share_the_lifespan_loop_inside_with() -> None:
    started: list[str] = []

    async def handler(ws: Any) -> None:
        await ws.accept()
        await ws.send_text(ws.app.state.greeting)
        await ws.close()

    app = App(dispatcher=HandlerDispatcher(websocket=handler), on_startup=[lambda: started.append("up")])

    @app.on_startup
    def greet() -> None:
        app.state.greeting = "hello from startup"

    with TestClient(app) as client, client.websocket_connect("/") as session:
        assert session.receive_text() == "hello from startup"
    assert started == ["up"]


# ------------------------------------------------------------------------ the async client
@pytest.mark.anyio
async def test_async_client_requests_without_lifespan() -> None:
    client = AsyncTestClient(http_app(describe))
    data = (await client.post("/x?y=2", content=b"hi")).json()
    assert (data["path"], data["query"], data["body"]) == ("/x", {"y": "2"}, "hi")


@pytest.mark.anyio
async def test_async_client_streams_request_bodies() -> None:
    async def count_chunks(request: Request, response: Response) -> Any:
        return {"chunks": len([chunk async for chunk in request.stream()])}

    async def body() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    async with AsyncTestClient(http_app(count_chunks)) as client:
        assert (await client.post("/", content=body())).json() == {"chunks": 2}


@pytest.mark.anyio
async def test_async_client_runs_lifespan_and_streams_incrementally() -> None:
    events: list[str] = []
    release = anyio.Event()
    released_before_second: list[bool] = []

    async def handler(request: Request, response: Response) -> Any:
        async def produce() -> AsyncIterator[bytes]:
            yield b"first"
            with anyio.move_on_after(5):
                await release.wait()
            released_before_second.append(release.is_set())
            yield b"second"

        return StreamingResponse(produce())

    app = http_app(handler, on_startup=[lambda: events.append("startup")],
                   on_shutdown=[lambda: events.append("shutdown")])
    async with AsyncTestClient(app) as client:
        assert events == ["startup"]
        async with client.stream("GET", "/") as response:
            chunks = response.aiter_bytes()
            assert await chunks.__anext__() == b"first"
            release.set()
            assert await chunks.__anext__() == b"second"
    assert events == ["startup", "shutdown"]
    assert released_before_second == [True]


@pytest.mark.anyio
async def test_async_client_failing_startup_raises() -> None:
    def broken() -> None:
        raise RuntimeError("no config")

    with pytest.raises(LifespanFailed, match="no config"):
        async with AsyncTestClient(http_app(describe, on_startup=[broken])):
            pass  # pragma: no cover - never reached


@pytest.mark.anyio
async def test_async_client_raises_app_exceptions_or_answers_500() -> None:
    with pytest.raises(RuntimeError, match="crashed before answering"):
        await AsyncTestClient(crashing_asgi_app).get("/")
    async with AsyncTestClient(crashing_asgi_app, raise_server_exceptions=False) as client:
        assert (await client.get("/")).status_code == 500


def test_websocket_left_open_is_closed_with_the_client() -> None:
    ended: list[int] = []

    async def handler(ws: Any) -> None:
        await ws.accept()
        async for _ in ws:
            pass
        ended.append(ws.close_code)

    with TestClient(App(dispatcher=HandlerDispatcher(websocket=handler))) as client:
        client.websocket_connect("/")  # never closed by the test
    assert ended == [1000]


def test_receiving_again_after_the_app_closed_repeats_its_close_code() -> None:
    async def handler(ws: Any) -> None:
        await ws.accept()
        await ws.close(code=4321)

    with TestClient(App(dispatcher=HandlerDispatcher(websocket=handler))).websocket_connect("/") as session:
        for _ in range(2):
            with pytest.raises(WebSocketDisconnect) as closed:
                session.receive_text()
            assert closed.value.code == 4321
