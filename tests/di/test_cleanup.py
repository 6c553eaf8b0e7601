"""Generator dependencies are closed after the response is sent, newest first, and see the error
when the handler or another dependency fails."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from nexios import Depend, get_application
from nexios.dependencies import Query
from nexios.testclient import TestClient
from nexios_core.exceptions import HTTPException
from nexios_core.types import Message, Receive, Scope, Send


def _recording(app: Any, events: list[str]) -> Any:
    """Wrap ``app`` so that the moment the last body message leaves is recorded in ``events``."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                events.append("sent:start")
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                events.append("sent:end")
            await send(message)

        await app(scope, receive, tracking_send)

    return wrapper


def test_cleanup_runs_after_the_response_is_sent() -> None:
    app = get_application()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        try:
            yield "r"
        finally:
            events.append("cleanup")

    @app.get("/")
    async def handler(request: Any, response: Any, r: str = Depend(resource)) -> Any:
        events.append("handler")
        return {"r": r}

    reply = TestClient(_recording(app, events)).get("/")
    assert reply.json() == {"r": "r"}
    assert events == ["open", "handler", "sent:start", "sent:end", "cleanup"]


def test_streaming_body_finishes_before_the_generator_is_closed() -> None:
    app = get_application()
    events: list[str] = []

    def session() -> Iterator[str]:
        events.append("session:open")
        yield "db"
        events.append("session:close")

    @app.get("/stream")
    async def handler(request: Any, response: Any, db: str = Depend(session)) -> Any:
        async def body() -> AsyncIterator[str]:
            for index in range(3):
                events.append(f"chunk{index}")
                # The dependency is still open while the body is produced.
                assert "session:close" not in events
                yield f"{db}{index};"
            events.append("body:done")

        return response.stream(body())

    reply = TestClient(_recording(app, events)).get("/stream")
    assert reply.status_code == 200
    assert reply.text == "db0;db1;db2;"
    assert events == ["session:open", "sent:start", "chunk0", "chunk1", "chunk2", "body:done",
                      "sent:end", "session:close"]


def test_generators_are_closed_in_reverse_order() -> None:
    app = get_application()
    events: list[str] = []

    def first() -> Iterator[str]:
        events.append("enter first")
        yield "1"
        events.append("exit first")

    async def second(one: str = Depend(first)) -> AsyncIterator[str]:
        events.append("enter second")
        yield one + "2"
        events.append("exit second")

    async def third() -> AsyncIterator[str]:
        events.append("enter third")
        yield "3"
        events.append("exit third")

    @app.get("/")
    async def handler(request: Any, response: Any, two: str = Depend(second), three: str = Depend(third)) -> Any:
        return two + three

    assert TestClient(app).get("/").text == "123"
    assert events == ["enter first", "enter second", "enter third",
                      "exit third", "exit second", "exit first"]


def test_handler_error_is_thrown_into_every_generator_in_reverse_order() -> None:
    app = get_application()
    events: list[str] = []

    def sync_resource() -> Iterator[str]:
        try:
            yield "s"
        except ValueError as exc:
            events.append(f"sync saw {type(exc).__name__}: {exc}")
            raise
        finally:
            events.append("sync finally")

    async def async_resource() -> AsyncIterator[str]:
        try:
            yield "a"
        except ValueError as exc:
            events.append(f"async saw {type(exc).__name__}: {exc}")
            raise
        finally:
            events.append("async finally")

    @app.get("/")
    async def handler(request: Any, response: Any, s: str = Depend(sync_resource),
                      a: str = Depend(async_resource)) -> Any:
        raise ValueError("boom")

    reply = TestClient(app, raise_server_exceptions=False).get("/")
    assert reply.status_code == 500
    assert events == ["async saw ValueError: boom", "async finally",
                      "sync saw ValueError: boom", "sync finally"]


def test_http_exception_from_the_handler_reaches_the_generator_and_the_client() -> None:
    app = get_application()
    seen: list[Any] = []

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        except HTTPException as exc:
            seen.append(exc.status_code)
            raise

    @app.get("/")
    async def handler(request: Any, response: Any, r: None = Depend(resource)) -> Any:
        raise HTTPException(404, detail="no such thing")

    reply = TestClient(app).get("/")
    assert reply.status_code == 404
    assert seen == [404]


def test_generator_raising_http_exception_from_except_replaces_the_error_response() -> None:
    app = get_application()
    events: list[str] = []

    async def transaction() -> AsyncIterator[str]:
        try:
            yield "tx"
        except KeyError as exc:
            events.append("rollback")
            raise HTTPException(409, detail="conflict") from exc

    def outer() -> Iterator[None]:
        try:
            yield
        except HTTPException as exc:
            # The older generator sees the replacement, not the original error.
            events.append(f"outer saw {exc.status_code}")
            raise

    @app.post("/")
    async def handler(request: Any, response: Any, o: None = Depend(outer), tx: str = Depend(transaction)) -> Any:
        raise KeyError("duplicate")

    reply = TestClient(app).post("/")
    assert reply.status_code == 409
    assert reply.json()["detail"] == "conflict"
    assert events == ["rollback", "outer saw 409"]


def test_error_in_a_later_dependency_is_thrown_into_earlier_generators() -> None:
    app = get_application()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        try:
            yield "r"
        except HTTPException as exc:
            events.append(f"saw {exc.status_code}")
            raise
        finally:
            events.append("closed")

    def refuse() -> None:
        raise HTTPException(403, detail="nope")

    @app.get("/")
    async def handler(request: Any, response: Any, r: str = Depend(resource), x: None = Depend(refuse)) -> Any:
        events.append("handler")  # never reached
        return r

    reply = TestClient(app).get("/")
    assert reply.status_code == 403
    assert events == ["saw 403", "closed"]


def test_validation_failure_after_a_generator_opened_closes_it() -> None:
    app = get_application()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        try:
            yield "r"
        except Exception as exc:
            events.append(type(exc).__name__)
            raise

    @app.get("/")
    async def handler(request: Any, response: Any, r: str = Depend(resource), n: int = Query()) -> Any:
        return r

    reply = TestClient(app).get("/?n=abc")
    assert reply.status_code == 422
    assert events == ["RequestValidationError"]


def test_cleanup_errors_after_success_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()
    events: list[str] = []

    def first() -> Iterator[None]:
        yield
        events.append("first closed")

    async def broken() -> AsyncIterator[None]:
        yield
        raise RuntimeError("cleanup failed")

    @app.get("/")
    async def handler(request: Any, response: Any, a: None = Depend(first), b: None = Depend(broken)) -> Any:
        return "fine"

    with caplog.at_level(logging.ERROR, logger="nexios.di"):
        reply = TestClient(app).get("/")  # raise_server_exceptions=True: nothing escapes the app
    assert reply.status_code == 200
    assert reply.text == "fine"
    # The broken generator does not stop the older one from closing.
    assert events == ["first closed"]
    records = [r for r in caplog.records if r.name == "nexios.di"]
    assert records, "the cleanup error must be logged"
    assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in records)


def test_generator_that_yields_twice_is_reported_and_does_not_break_the_response(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = get_application()

    def twice() -> Iterator[int]:
        yield 1
        yield 2

    @app.get("/")
    async def handler(request: Any, response: Any, n: int = Depend(twice)) -> Any:
        return {"n": n}

    with caplog.at_level(logging.ERROR, logger="nexios.di"):
        reply = TestClient(app).get("/")
    assert reply.json() == {"n": 1}
    assert any("more than once" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
