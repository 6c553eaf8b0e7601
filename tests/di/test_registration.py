"""Mistakes fail when the route is registered, naming the handler and the parameter; the plan is
built then and never again per request."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest

from nexios import Depend, Router, get_application
from nexios.dependencies import Body, Path, Query
from nexios.testclient import TestClient
from nexios_core.exceptions import ImproperlyConfigured
from nexios_di import DependencyError, build_plan


def _message(caught: pytest.ExceptionInfo[BaseException]) -> str:
    return str(caught.value)


def test_unannotated_unknown_parameter() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/users/{user_id}")
        async def show_user(request: Any, response: Any, user_id: int, mystery) -> Any:  # type: ignore[no-untyped-def]
            return "never"

    message = _message(caught)
    assert "show_user" in message and "'mystery'" in message
    assert "user_id" in message  # what the path does declare


def test_unknown_parameter_inside_a_nested_dependency_names_the_handler_and_the_chain() -> None:
    def inner(what) -> str:  # type: ignore[no-untyped-def]
        return "x"

    def outer(value: str = Depend(inner)) -> str:
        return value

    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def nested_handler(request: Any, response: Any, thing: str = Depend(outer)) -> Any:
            return thing

    message = _message(caught)
    for part in ("nested_handler", "'thing'", "outer", "'value'", "inner", "'what'"):
        assert part in message, part


def dep_a(b: Any = None) -> Any:  # rebound below to close the cycle
    return b


def dep_b(a: Any = Depend(dep_a)) -> Any:
    return a


dep_a.__defaults__ = (Depend(dep_b),)


def test_dependency_cycle() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def cyclic_handler(request: Any, response: Any, start: Any = Depend(dep_a)) -> Any:
            return start

    message = _message(caught)
    assert "cycle" in message.lower()
    assert "cyclic_handler" in message and "'start'" in message
    assert "dep_a" in message and "dep_b" in message


def test_self_referencing_dependency() -> None:
    def loop(x: Any = None) -> Any:
        return x

    loop.__defaults__ = (Depend(loop),)
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def self_handler(request: Any, response: Any, value: Any = Depend(loop)) -> Any:
            return value

    assert "cycle" in _message(caught).lower() and "self_handler" in _message(caught)


def test_non_callable_dependency() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def bad_dep_handler(request: Any, response: Any, settings: Any = Depend(42)) -> Any:  # type: ignore[arg-type]
            return settings

    message = _message(caught)
    assert "bad_dep_handler" in message and "'settings'" in message and "42" in message


def test_non_callable_or_non_depend_level_dependencies() -> None:
    async def handler(request: Any, response: Any) -> Any:
        return "x"

    app = get_application()
    with pytest.raises(DependencyError) as caught:
        app.add_route("/a", handler, dependencies=[Depend("not callable")])  # type: ignore[arg-type]
    assert "handler" in _message(caught) and "not callable" in _message(caught)
    with pytest.raises(DependencyError) as caught:
        app.add_route("/b", handler, dependencies=[print])
    assert "Depend" in _message(caught)


def test_depend_without_callable_needs_a_class_annotation() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def empty_depend(request: Any, response: Any, value=Depend()) -> Any:  # type: ignore[no-untyped-def]
            return value

    assert "empty_depend" in _message(caught) and "'value'" in _message(caught)


def test_generator_handler() -> None:
    # Plain `def` handlers are fine (they run in worker threads); generators are not handlers.
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        def generator_handler(request: Any, response: Any) -> Any:
            yield "x"

    assert "generator_handler" in _message(caught) and "generator" in _message(caught)


def test_path_parameter_annotated_as_a_list() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/items/{ids}")
        async def list_path(request: Any, response: Any, ids: list[int]) -> Any:
            return ids

    assert "list_path" in _message(caught) and "'ids'" in _message(caught)


def test_path_marker_alias_not_in_the_path() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/items/{item_id}")
        async def wrong_alias(request: Any, response: Any, item: int = Path(alias="id")) -> Any:
            return item

    message = _message(caught)
    assert "wrong_alias" in message and "'item'" in message and "'id'" in message


def test_path_marker_for_a_name_the_path_lacks() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/items")
        async def no_such_path(request: Any, response: Any, item_id: int = Path()) -> Any:
            return item_id

    assert "no_such_path" in _message(caught) and "'item_id'" in _message(caught)


def test_positional_only_parameter() -> None:
    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def positional(request: Any, response: Any, limit: int = 1, /) -> Any:
            return limit

    assert "positional" in _message(caught) and "'limit'" in _message(caught)


def test_websocket_handler_with_a_body() -> None:
    app = get_application()
    with pytest.raises(ImproperlyConfigured) as caught:
        @app.ws_route("/ws")
        async def ws_with_body(websocket: Any, payload: dict[str, int] = Body()) -> None:
            return None

    assert "ws_with_body" in _message(caught)


def test_annotation_that_cannot_be_resolved_fails_at_registration() -> None:
    # With `from __future__ import annotations`, a class local to this function cannot be found
    # from the handler's module: refuse it now rather than answer 500 on the first request.
    class LocalFilter:
        pass

    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def unresolved(request: Any, response: Any, flt: LocalFilter, limit: int = 1) -> Any:
            return "never"

    message = _message(caught)
    assert "unresolved" in message and "'flt'" in message and "LocalFilter" in message


def test_unresolvable_request_annotation_on_the_leading_parameters_is_tolerated() -> None:
    # `if TYPE_CHECKING: from nexios.http import Request` leaves the names unresolvable at run
    # time; the leading request/response are known by position, so that must still work.
    app = get_application()

    async def handler(request: NotImportedRequest, response: NotImportedResponse,  # type: ignore[name-defined]  # noqa: F821
                      limit: int = 5) -> Any:
        return {"limit": limit, "type": type(limit).__name__}

    app.add_route("/", handler)
    assert TestClient(app).get("/?limit=7").json() == {"limit": 7, "type": "int"}


def test_errors_raise_at_registration_not_on_first_request() -> None:
    router = Router(prefix="/api")
    with pytest.raises(DependencyError):
        router.add_route("/x", _bad_handler)
    # The router stays usable: nothing half-registered.
    assert router.routes == []


async def _bad_handler(request: Any, response: Any, unknown) -> Any:  # type: ignore[no-untyped-def]
    return unknown


def test_parameter_from_a_router_prefix_is_accepted() -> None:
    router = Router(prefix="/orgs/{org}")

    @router.get("/members")
    async def members(request: Any, response: Any, org) -> Any:  # type: ignore[no-untyped-def]
        return {"org": org}

    app = get_application()
    app.mount_router(router)
    assert TestClient(app).get("/orgs/acme/members").json() == {"org": "acme"}


def test_build_plan_directly_reports_the_same_errors() -> None:
    async def handler(request: Any, response: Any, other) -> Any:  # type: ignore[no-untyped-def]
        return other

    with pytest.raises(DependencyError) as caught:
        build_plan(handler, path_params=["item_id"])
    assert "handler" in _message(caught) and "'other'" in _message(caught)
    assert build_plan(handler, path_params=["other"]).all_parameters()[0].source == "path"


# ----------------------------------------------------------------------------- built once
def test_no_signature_inspection_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    def settings() -> str:
        return "s"

    async def service(s: str = Depend(settings), limit: int = Query(5)) -> str:
        return s * limit

    app = get_application(dependencies=[Depend(settings)])
    router = Router(prefix="/r", dependencies=[Depend(settings)])

    @router.route("/{item_id:int}", methods=["GET", "POST"])
    async def handler(request: Any, response: Any, item_id: int, svc: str = Depend(service),
                      q: str | None = None, payload: dict[str, int] | None = Body(None)) -> Any:
        return {"id": item_id, "svc": svc, "q": q}

    @app.ws_route("/ws/{room}")
    async def ws(websocket: Any, room: str, svc: str = Depend(service)) -> None:
        await websocket.accept()
        await websocket.send_text(room + svc)
        await websocket.close()

    app.mount_router(router)

    counts = {"signature": 0, "hints": 0}
    real_signature = inspect.signature
    real_hints = typing.get_type_hints

    def counting_signature(*args: Any, **kwargs: Any) -> Any:
        counts["signature"] += 1
        return real_signature(*args, **kwargs)

    def counting_hints(*args: Any, **kwargs: Any) -> Any:
        counts["hints"] += 1
        return real_hints(*args, **kwargs)

    with TestClient(app) as client:  # start-up compiles the routes and binds every plan
        monkeypatch.setattr(inspect, "signature", counting_signature)
        monkeypatch.setattr(typing, "get_type_hints", counting_hints)
        for index in range(20):
            reply = client.get(f"/r/{index}?limit=2&q=x")
            assert reply.json() == {"id": index, "svc": "ss", "q": "x"}
            assert client.get("/r/1?limit=bad").status_code == 422
            assert client.post("/r/1?limit=1", json={"a": 1}).json() == {"id": 1, "svc": "s", "q": None}
        with client.websocket_connect("/ws/lobby") as session:
            assert session.receive_text() == "lobbysssss"
        monkeypatch.undo()

    assert counts == {"signature": 0, "hints": 0}


def test_non_callable_nested_dependency_names_the_whole_chain() -> None:
    def outer(inner: Any = Depend(3.5)) -> Any:  # type: ignore[arg-type]
        return inner

    app = get_application()
    with pytest.raises(DependencyError) as caught:
        @app.get("/")
        async def chain_handler(request: Any, response: Any, first: Any = Depend(outer)) -> Any:
            return first

    message = _message(caught)
    for part in ("chain_handler", "'first'", "outer", "'inner'", "3.5"):
        assert part in message, part


def test_path_marker_for_a_router_prefix_parameter() -> None:
    router = Router(prefix="/groups/{group_id:int}")

    @router.get("/members")
    async def members(request: Any, response: Any, group_id: int = Path(ge=1)) -> Any:
        return group_id

    app = get_application()
    app.mount_router(router)
    client = TestClient(app)
    assert client.get("/groups/4/members").json() == 4
    assert client.get("/groups/0/members").status_code == 422
