"""Every kind of dependency, where it runs (loop thread or worker), nesting, caching, and the
request objects a dependency or handler can ask for."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from nexios import Depend, NexiosApp, get_application
from nexios.dependencies import Context
from nexios.testclient import TestClient
from nexios_core.request import Request
from nexios_core.responses import Response


# ----------------------------------------------------------------------------- kinds
def sync_dep() -> str:
    return "sync"


async def async_dep() -> str:
    return "async"


class ClassDep:
    def __init__(self) -> None:
        self.value = "class"


class CallableDep:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    async def __call__(self) -> str:
        return f"{self.prefix}-instance"


class SyncCallableDep:
    def __call__(self) -> str:
        return "sync-instance"


def sync_gen_dep() -> Iterator[str]:
    yield "sync-gen"


async def async_gen_dep() -> AsyncIterator[str]:
    yield "async-gen"


def test_every_dependency_kind_is_injected() -> None:
    app = get_application()
    instance = CallableDep("callable")

    @app.get("/")
    async def handler(
        request: Any,
        response: Any,
        a: str = Depend(sync_dep),
        b: str = Depend(async_dep),
        c: ClassDep = Depend(ClassDep),
        d: str = Depend(instance),
        e: str = Depend(SyncCallableDep()),
        f: str = Depend(sync_gen_dep),
        g: str = Depend(async_gen_dep),
    ) -> Any:
        assert isinstance(c, ClassDep)
        return {"a": a, "b": b, "c": c.value, "d": d, "e": e, "f": f, "g": g}

    reply = TestClient(app).get("/")
    assert reply.status_code == 200
    assert reply.json() == {
        "a": "sync", "b": "async", "c": "class", "d": "callable-instance", "e": "sync-instance",
        "f": "sync-gen", "g": "async-gen",
    }


def test_depend_without_callable_uses_the_annotation() -> None:
    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, service: ClassDep = Depend()) -> Any:
        return {"value": service.value, "type": type(service).__name__}

    assert TestClient(app).get("/").json() == {"value": "class", "type": "ClassDep"}


def test_class_dependency_receives_its_own_injected_arguments() -> None:
    app = get_application()

    class Paginator:
        def __init__(self, page: int = 1, size: int = 10) -> None:
            self.page = page
            self.size = size

    @app.get("/")
    async def handler(request: Any, response: Any, pages: Paginator = Depend(Paginator)) -> Any:
        return {"page": pages.page, "size": pages.size}

    client = TestClient(app)
    assert client.get("/?page=3").json() == {"page": 3, "size": 10}
    assert client.get("/?page=2&size=50").json() == {"page": 2, "size": 50}


# ----------------------------------------------------------------------------- threads
def test_sync_dependency_runs_inline_on_the_loop_thread_unless_blocking() -> None:
    app = get_application()
    seen: dict[str, threading.Thread] = {}

    def inline() -> None:
        seen["inline"] = threading.current_thread()

    def blocking() -> None:
        seen["blocking"] = threading.current_thread()

    def inline_gen() -> Iterator[None]:
        seen["inline_gen"] = threading.current_thread()
        yield

    def blocking_gen() -> Iterator[None]:
        seen["blocking_gen"] = threading.current_thread()
        yield
        # Its cleanup blocks too, so it runs in a worker thread as well.
        seen["blocking_gen_cleanup"] = threading.current_thread()

    def inline_gen_cleanup() -> Iterator[None]:
        yield
        seen["inline_gen_cleanup"] = threading.current_thread()

    class BlockingClass:
        def __init__(self) -> None:
            seen["blocking_class"] = threading.current_thread()

    @app.get("/")
    async def handler(
        request: Any,
        response: Any,
        a: None = Depend(inline),
        b: None = Depend(blocking, blocking=True),
        c: None = Depend(inline_gen),
        d: None = Depend(blocking_gen, blocking=True),
        e: BlockingClass = Depend(BlockingClass, blocking=True),
        f: None = Depend(inline_gen_cleanup),
    ) -> Any:
        seen["loop"] = threading.current_thread()
        return "ok"

    assert TestClient(app).get("/").status_code == 200
    loop = seen["loop"]
    assert seen["inline"] is loop
    assert seen["inline_gen"] is loop
    assert seen["blocking"] is not loop
    assert seen["blocking_gen"] is not loop
    assert seen["blocking_class"] is not loop
    assert seen["blocking_gen_cleanup"] is not loop
    assert seen["inline_gen_cleanup"] is loop


def test_async_dependency_runs_on_the_loop_thread_even_when_marked_blocking() -> None:
    app = get_application()
    seen: dict[str, threading.Thread] = {}

    async def dep() -> None:
        seen["dep"] = threading.current_thread()

    @app.get("/")
    async def handler(request: Any, response: Any, a: None = Depend(dep, blocking=True)) -> Any:
        seen["loop"] = threading.current_thread()
        return "ok"

    assert TestClient(app).get("/").status_code == 200
    assert seen["dep"] is seen["loop"]


# ----------------------------------------------------------------------------- nesting
def test_dependencies_nest_three_deep() -> None:
    app = get_application()

    def level_three(q: int = 1) -> int:
        return q

    async def level_two(three: int = Depend(level_three)) -> int:
        return three * 10

    def level_one(two: int = Depend(level_two)) -> Iterator[int]:
        yield two + 1

    @app.get("/")
    async def handler(request: Any, response: Any, one: int = Depend(level_one)) -> Any:
        return {"one": one}

    client = TestClient(app)
    assert client.get("/").json() == {"one": 11}
    assert client.get("/?q=4").json() == {"one": 41}


# ----------------------------------------------------------------------------- caching
def test_dependency_used_twice_in_a_request_runs_once() -> None:
    app = get_application()
    calls: list[int] = []

    def counted() -> int:
        calls.append(1)
        return len(calls)

    def first(value: int = Depend(counted)) -> int:
        return value

    def second(value: int = Depend(counted)) -> int:
        return value

    @app.get("/")
    async def handler(request: Any, response: Any, a: int = Depend(first), b: int = Depend(second),
                      c: int = Depend(counted)) -> Any:
        return [a, b, c]

    client = TestClient(app)
    assert client.get("/").json() == [1, 1, 1]
    assert len(calls) == 1
    # The cache is per request: the next request calls it again.
    assert client.get("/").json() == [2, 2, 2]
    assert len(calls) == 2


def test_use_cache_false_runs_the_dependency_for_every_use() -> None:
    app = get_application()
    calls: list[int] = []

    async def counted() -> int:
        calls.append(1)
        return len(calls)

    def nested(value: int = Depend(counted, use_cache=False)) -> int:
        return value

    @app.get("/")
    async def handler(request: Any, response: Any, a: int = Depend(counted, use_cache=False),
                      b: int = Depend(counted, use_cache=False), c: int = Depend(nested)) -> Any:
        return sorted([a, b, c])

    assert TestClient(app).get("/").json() == [1, 2, 3]
    assert len(calls) == 3


def test_cached_generator_dependency_is_entered_and_closed_once() -> None:
    app = get_application()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        yield "r"
        events.append("close")

    def user(r: str = Depend(resource)) -> str:
        return r

    @app.get("/")
    async def handler(request: Any, response: Any, a: str = Depend(resource), b: str = Depend(user)) -> Any:
        return a + b

    assert TestClient(app).get("/").text == "rr"
    assert events == ["open", "close"]


# ----------------------------------------------------------------------------- request objects
def test_dependency_can_ask_for_request_response_app_and_context_by_annotation() -> None:
    app = get_application()
    seen: dict[str, Any] = {}

    def dep(req: Request, res: Response, ctx: Context, application: NexiosApp) -> str:
        seen.update(request=req, response=res, context=ctx, app=application)
        res.set_header("x-from-dep", "yes")
        return req.url.path

    @app.get("/where")
    async def handler(request: Any, response: Any, path: str = Depend(dep)) -> Any:
        seen["handler_request"] = request
        seen["handler_response"] = response
        return {"path": path}

    reply = TestClient(app).get("/where")
    assert reply.json() == {"path": "/where"}
    assert reply.headers["x-from-dep"] == "yes"
    assert seen["request"] is seen["handler_request"]
    assert seen["response"] is seen["handler_response"]
    assert seen["app"] is app
    assert isinstance(seen["context"], Context)
    assert seen["context"].request is seen["handler_request"]
    assert seen["context"].response is seen["handler_response"]
    assert seen["context"].app is app


def test_dependency_can_ask_for_request_response_app_and_context_by_name() -> None:
    app = get_application()
    seen: dict[str, Any] = {}

    def dep(request, response, app, context):  # type: ignore[no-untyped-def]
        seen.update(request=request, response=response, app=app, context=context)
        return "ok"

    def dep_short(req, res, ctx):  # type: ignore[no-untyped-def]
        seen.update(req=req, res=res, ctx=ctx)
        return "ok"

    @app.get("/")
    async def handler(request: Any, response: Any, a: str = Depend(dep), b: str = Depend(dep_short)) -> Any:
        seen["handler_request"] = request
        seen["handler_response"] = response
        return a + b

    assert TestClient(app).get("/").text == "okok"
    assert seen["request"] is seen["handler_request"] is seen["req"]
    assert seen["response"] is seen["handler_response"] is seen["res"]
    assert seen["app"] is app
    assert isinstance(seen["context"], Context) and isinstance(seen["ctx"], Context)
    assert seen["context"].request is seen["handler_request"]


def test_handler_can_take_context_by_default_marker_and_by_keyword() -> None:
    app = get_application()

    @app.get("/items/{item_id}")
    async def handler(request: Any, response: Any, item_id: str, ctx: Any = Context()) -> Any:
        assert isinstance(ctx, Context)
        return {"path_params": ctx.path_params, "same_request": ctx.request is request,
                "app_is_app": ctx.app is application}

    application = app
    assert TestClient(app).get("/items/7").json() == {
        "path_params": {"item_id": "7"}, "same_request": True, "app_is_app": True,
    }
