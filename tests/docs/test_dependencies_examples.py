"""The examples of ``docs/dependencies.md`` do what the page says they do."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from nexios import Depend, get_application
from nexios.testclient import TestClient
from tests.support.doc_examples import load, make_client


@pytest.fixture
def dependencies_example() -> ModuleType:
    return load("dependencies.py")


def test_dependencies_and_validation(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    items = http.get("/items?page=2&size=5", headers={"x-user": "ann"}).json()
    assert items == {"paging": {"page": 2, "size": 5}, "user": "ann"}
    assert http.get("/items").json()["user"] == "anonymous"
    too_many = http.get("/items?size=500").json()["detail"]
    assert too_many == [{"loc": ["query", "size"], "msg": "Input should be less than or equal to 100",
                         "type": "less_than_equal"}]


def test_sync_dependencies_run_inline_unless_blocking(dependencies_example: ModuleType) -> None:
    threads = make_client(dependencies_example.app).get("/threads").json()
    assert threads["inline"] == threads["handler"]
    assert threads["blocking"] != threads["handler"]


def test_generator_cleanup_after_the_response_and_on_errors(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    assert http.post("/orders", headers={"x-user": "ann"}).json() == {"committed_yet": False}
    assert dependencies_example.log == ["session: opened", "audit: ann placed an order", "handler: done",
                                        "session: committed", "session: closed"]
    dependencies_example.log.clear()
    failed = http.post("/orders/fail")
    assert (failed.status_code, failed.json()) == (409, {"detail": "Out of stock"})
    assert dependencies_example.log == ["session: opened", "session: rolled back (HTTPException)",
                                        "session: closed"]


def test_cleanup_runs_after_background_tasks() -> None:
    app = get_application()
    order: list[str] = []

    async def resource() -> Any:
        yield "r"
        order.append("cleanup")

    @app.get("/")
    async def handler(request: Any, response: Any, value: str = Depend(resource)) -> Any:
        response.add_background_task(order.append, "background task")
        return {}

    make_client(app).get("/")
    assert order == ["background task", "cleanup"]


def test_a_generator_may_replace_the_error() -> None:
    from nexios.exceptions import HTTPException

    app = get_application()

    async def translate() -> Any:
        try:
            yield None
        except LookupError:
            raise HTTPException(404, detail="No such thing") from None

    @app.get("/")
    async def handler(request: Any, response: Any, _: None = Depend(translate)) -> Any:
        raise LookupError("missing")

    answer = make_client(app).get("/")
    assert (answer.status_code, answer.json()) == (404, {"detail": "No such thing"})


def test_dependency_values_are_cached_per_request() -> None:
    app = get_application()
    calls: list[int] = []

    def counted() -> int:
        calls.append(1)
        return len(calls)

    def uses_counted(value: int = Depend(counted)) -> int:
        return value

    @app.get("/")
    async def handler(request: Any, response: Any, a: int = Depend(counted), b: int = Depend(uses_counted),
                      c: int = Depend(counted, use_cache=False)) -> Any:
        return {"a": a, "b": b, "c": c}

    assert make_client(app).get("/").json() == {"a": 1, "b": 1, "c": 2}
    assert make_client(app).get("/").json() == {"a": 3, "b": 3, "c": 4}


def test_app_scoped_dependency_lives_as_long_as_the_app(dependencies_example: ModuleType) -> None:
    with TestClient(dependencies_example.app) as http:
        assert dependencies_example.log == ["catalogue: loaded"]  # created at start-up
        first = http.get("/catalogue/1").json()
        second = http.get("/catalogue/2").json()
    assert (first["item"], second["item"]) == ("pear", "fig")
    assert first["instance"] == second["instance"]
    assert dependencies_example.log == ["catalogue: loaded", "catalogue: released"]


def test_typed_inputs(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    created = http.post("/products", json={"name": "pear", "price": 1})
    assert (created.status_code, created.json()) == (201, {"name": "pear", "price": 1.0, "tags": []})
    invalid = http.post("/products", json={"name": "", "price": 0}).json()["detail"]
    assert [e["loc"] for e in invalid] == [["body", "name"], ["body", "price"]]
    assert all("input" not in e for e in invalid)
    assert http.post("/products", data={"name": "x"}).status_code == 415
    assert http.post("/products", content=b"{bad", headers={"content-type": "application/json"}).status_code == 400
    http.cookies.set("session_id", "s1")
    updated = http.put("/products/3?dry_run=yes", json={"product": {"name": "a", "price": 2}, "note": "n"}).json()
    assert updated == {"id": 3, "product": {"name": "a", "price": 2.0, "tags": []}, "note": "n", "dry_run": True,
                       "session_id": "s1", "user_agent": "testclient"}
    unembedded = http.put("/products/3", json={"name": "a", "price": 2}).json()["detail"]
    assert [e["loc"] for e in unembedded] == [["body", "product"], ["body", "note"]]
    assert http.get("/reviews/5").json() == {"review_id": 5}
    assert http.get("/reviews/0").json()["detail"][0]["type"] == "greater_than_equal"
    assert http.get("/search?q=py&tag=a&tag=b").json() == {"q": "py", "tags": ["a", "b"], "limit": 10}
    assert http.get("/search").json() == {"detail": [{"loc": ["query", "q"], "msg": "Field required",
                                                      "type": "missing"}]}
    avatar = http.post("/avatars", data={"username": "ann"}, files={"avatar": ("a.png", b"png", "image/png")})
    assert avatar.json() == {"username": "ann", "filename": "a.png", "size": 3}
    not_a_file = http.post("/avatars", data={"username": "ann", "avatar": "text"}).json()
    assert not_a_file["detail"][0]["loc"] == ["form", "avatar"]
    assert http.get("/context").json() == {"path": "/context", "app_is_request_app": True}


def test_router_dependencies_check_every_route(dependencies_example: ModuleType) -> None:
    http = make_client(dependencies_example.app)
    assert http.get("/admin/stats").json()["detail"][0]["loc"] == ["header", "x-api-key"]
    assert http.get("/admin/stats", headers={"x-api-key": "nope"}).json() == {"detail": "Wrong API key"}
    assert http.get("/admin/stats", headers={"x-api-key": "secret"}).json() == {"orders": 3}


def test_overrides_replace_a_dependency_everywhere(dependencies_example: ModuleType) -> None:
    app = dependencies_example.app
    app.dependency_overrides[dependencies_example.current_user] = lambda: "test-user"
    try:
        http = make_client(app)
        assert http.get("/items").json()["user"] == "test-user"
        http.post("/orders")  # Auditor depends on current_user: overridden there too
        assert "audit: test-user placed an order" in dependencies_example.log
    finally:
        app.dependency_overrides.clear()
    assert make_client(app).get("/items").json()["user"] == "anonymous"


def test_mistakes_are_refused_at_registration(dependencies_example: ModuleType) -> None:
    from nexios_di import DependencyError

    with pytest.raises(DependencyError, match="parameter 'q': not a path parameter"):
        dependencies_example.register_ambiguous_handler()
    app = get_application()
    with pytest.raises(DependencyError, match="generator"):

        @app.get("/rows")
        def rows_handler(request: Any, response: Any) -> Any:  # a generator is not a handler
            yield None

    def reads_request(request: Any) -> None:
        return None

    with pytest.raises(DependencyError, match="cannot read the request"):

        @app.get("/app-scoped")
        async def handler(request: Any, response: Any, value: None = Depend(reads_request, scope="app")) -> None:
            return None
