"""Plain ``def`` handlers: run in the app's worker threads, bounded by ``thread_pool_size``, with
the same inputs, guards and helpers as async handlers; async handlers pay nothing for it."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

from nexios import Depend, get_application
from nexios.auth import AuthenticationMiddleware, auth
from nexios.testclient import TestClient
from nexios_core import App, ImproperlyConfigured, current_app, current_request
from nexios_core.testclient import AsyncTestClient
from nexios_di import DependencyError
from nexios_routing import Route, Router
from nexios_routing.endpoints import build_endpoint

pytestmark = pytest.mark.anyio


class Book(BaseModel):
    title: str
    pages: int


def test_a_sync_handler_gets_path_query_body_and_dependencies_in_a_worker_thread() -> None:
    app = get_application()
    loop_thread: list[int] = []

    def database() -> str:
        return "db"

    @app.on_startup
    async def remember_loop_thread() -> None:
        loop_thread.append(threading.get_ident())

    @app.post("/shelves/{shelf:int}/books")
    def add_book(request: Any, response: Any, shelf: int, book: Book, copies: int = 1,
                 db: str = Depend(database)) -> dict[str, Any]:
        return {"shelf": shelf, "title": book.title, "copies": copies, "db": db,
                "in_worker_thread": threading.get_ident() != loop_thread[0]}

    with TestClient(app) as client:
        answer = client.post("/shelves/3/books?copies=2", json={"title": "Dune", "pages": 412})
        invalid = client.post("/shelves/3/books?copies=many", json={"title": "Dune", "pages": "x"})
    assert answer.json() == {"shelf": 3, "title": "Dune", "copies": 2, "db": "db", "in_worker_thread": True}
    assert invalid.status_code == 422
    assert {tuple(error["loc"]) for error in invalid.json()["detail"]} >= {("query", "copies")}


async def test_at_most_thread_pool_size_sync_handlers_run_at_once() -> None:
    app = get_application(thread_pool_size=2)
    running, peak = 0, 0
    lock = threading.Lock()
    release = threading.Event()

    @app.get("/work")
    def work(request: Any, response: Any) -> dict[str, int]:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        release.wait(10)
        with lock:
            running -= 1
        return {"ok": 1}

    async with AsyncTestClient(app) as client:
        statuses: list[int] = []

        async def call() -> None:
            statuses.append((await client.get("/work")).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(call)
            with anyio.fail_after(10):
                while running < 2:  # two handlers block in their threads...
                    await anyio.sleep(0.01)
            await anyio.sleep(0.3)  # ...and the four others wait for a free thread
            assert (running, peak) == (2, 2)
            release.set()
    assert statuses == [200] * 6 and peak == 2
    assert app.thread_limiter.total_tokens == 2


async def test_a_blocking_sync_handler_leaves_the_event_loop_free() -> None:
    # The sync handler waits for an event that only an async request sets: with the handler on
    # the event loop's thread, the second request could never run and this would time out.
    app = get_application()
    unblocked = threading.Event()

    @app.get("/wait")
    def wait(request: Any, response: Any) -> dict[str, bool]:
        return {"released": unblocked.wait(10)}

    @app.get("/release")
    async def release(request: Any, response: Any) -> dict[str, bool]:
        unblocked.set()
        return {"released": True}

    async with AsyncTestClient(app) as client:
        answers: dict[str, Any] = {}

        async def get(path: str) -> None:
            answers[path] = (await client.get(path)).json()

        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                group.start_soon(get, "/wait")
                await anyio.sleep(0.05)
                group.start_soon(get, "/release")
    assert answers == {"/wait": {"released": True}, "/release": {"released": True}}


def test_current_app_request_and_paginate_work_in_a_sync_handler() -> None:
    app = get_application()

    @app.get("/numbers")
    def numbers(request: Any, response: Any) -> Any:
        assert current_app() is app and current_request() is request
        return response.paginate(list(range(1, 8)), page_size_param="size")

    with TestClient(app) as client:
        answer = client.get("/numbers?page=2&size=3")
    assert answer.json()["items"] == [4, 5, 6]
    assert answer.json()["pagination"]["links"]["next"] == "/numbers?page=3&size=3"


def test_auth_protects_a_sync_handler_and_keeps_it_sync() -> None:
    class Header:
        name = "header"

        async def authenticate(self, request: Any) -> Any:
            token = request.headers.get("x-user")
            return (_User(token), ["read"]) if token else None

    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=Header()))

    @app.get("/me")
    @auth()
    def me(request: Any, response: Any) -> dict[str, Any]:
        return {"user": request.user.display_name, "thread": threading.current_thread() is not threading.main_thread()}

    with TestClient(app) as client:
        assert client.get("/me").status_code == 401
        assert client.get("/me", headers={"x-user": "ada"}).json() == {"user": "ada", "thread": True}


class _User:
    is_authenticated = True

    def __init__(self, name: str) -> None:
        self.display_name = name


def test_an_error_in_a_sync_handler_is_a_500_like_any_other() -> None:
    app = get_application()

    @app.get("/boom")
    def boom(request: Any, response: Any) -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/boom")
    assert answer.status_code == 500 and "secret detail" not in answer.text


def test_generator_and_sync_websocket_handlers_are_refused_at_registration() -> None:
    router = Router()

    def rows(request: Any, response: Any) -> Any:
        yield b"row"

    with pytest.raises(DependencyError, match="is a generator.*response.stream"):
        router.add_route(Route("/rows", rows))

    def socket(websocket: Any) -> None: ...

    with pytest.raises(DependencyError, match="WebSocket handler .* must be an async function"):
        router.add_ws_route("/ws", socket)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, -1, True, "4", 2.5])
def test_thread_pool_size_must_be_a_positive_int(size: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="thread_pool_size must be a positive int"):
        App(thread_pool_size=size)


def test_an_async_handler_is_its_own_endpoint_and_a_sync_one_gets_a_thread_wrapper() -> None:
    async def fast(request: Any, response: Any) -> str:
        return "fast"

    def slow(request: Any, response: Any) -> str:
        return "slow"

    app = App()
    fast_route, slow_route = Route("/fast", fast), Route("/slow", slow)
    assert build_endpoint(fast_route, app) is fast  # nothing added on the async path
    threaded = build_endpoint(slow_route, app)
    assert threaded is not slow and threaded.__name__ == "in_thread"
    assert slow_route.plan is not None and slow_route.plan.func is slow  # the route's own plan is untouched
