"""The examples of ``docs/routing.md`` do what the page says they do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nexios import Router, get_application
from nexios.testclient import TestClient
from nexios_core.exceptions import ImproperlyConfigured
from tests.support.doc_examples import load, make_client


@pytest.fixture(scope="module")
def routing() -> Iterator[TestClient]:
    yield make_client(load("routing.py").app)


def test_routes_and_converters(routing: TestClient) -> None:
    assert routing.get("/items").json() == {"items": ["apple", "pear"]}
    assert routing.post("/items", json={"n": 1}).status_code == 201
    assert routing.get("/items/3").json() == {"item_id": 3, "self": "/items/3"}
    order = "12345678-1234-1234-1234-123456789abc"
    assert routing.get(f"/orders/{order}").json() == {"order_id": order, "type": "UUID"}
    assert routing.get("/files/a/b/c.txt").json() == {"file_path": "a/b/c.txt"}
    assert routing.get("/countries/FR").json() == {"code": "FR"}
    assert routing.post("/ping").json() == {"method": "POST"}


@pytest.mark.parametrize("path", ["/items/abc", "/items/-1", "/items/" + "9" * 4301, "/orders/zz",
                                  "/countries/fr", "/countries/FRA", "/nowhere"])
def test_a_segment_a_converter_refuses_is_a_404(routing: TestClient, path: str) -> None:
    answer = routing.get(path)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Not Found"})


def test_a_value_refused_by_an_annotation_is_a_422(routing: TestClient) -> None:
    answer = routing.get("/pages/abc")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "number"]
    assert routing.get("/pages/7").json() == {"number": 7}


def test_literal_segments_win_over_parameters(routing: TestClient) -> None:
    assert routing.get("/users/me").json() == {"user": "the current user"}
    assert routing.get("/users/bob").json() == {"user": "bob"}


def test_405_lists_allowed_methods_and_options_is_204(routing: TestClient) -> None:
    refused = routing.delete("/items")
    assert (refused.status_code, refused.json()) == (405, {"detail": "Method Not Allowed"})
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert routing.request("TRACE", "/items").status_code == 405
    options = routing.options("/items")
    assert (options.status_code, options.content) == (204, b"")
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_head_is_answered_for_get_routes_without_a_body(routing: TestClient) -> None:
    full = routing.get("/items")
    head = routing.head("/items")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == full.headers["content-length"]


def test_trailing_slash_rule(routing: TestClient) -> None:
    added = routing.get("/reports?page=2")
    assert (added.status_code, added.headers["location"]) == (307, "/reports/?page=2")
    removed = routing.get("/items/")
    assert (removed.status_code, removed.headers["location"]) == (307, "/items")
    assert routing.get("/reports/").json() == {"route": "/reports/"}
    assert routing.get("/nothing/").status_code == 404
    followed = TestClient(routing.app).post("/items/", json={"kept": True})  # follows redirects
    assert (followed.status_code, followed.json()) == (201, {"kept": True})


@pytest.mark.parametrize("path", ["//evil.example/", "/%5Cevil.example/"])
def test_trailing_slash_redirects_stay_on_site(routing: TestClient, path: str) -> None:
    location = routing.get(path).headers.get("location")
    assert location is None or (location.startswith("/") and not location.startswith("//"))


def test_redirect_slashes_can_be_turned_off() -> None:
    app = get_application(redirect_slashes=False)

    @app.get("/reports/")
    async def reports(request: Any, response: Any) -> dict[str, str]:
        return {}

    assert make_client(app).get("/reports").status_code == 404


def test_routers_groups_and_url_for(routing: TestClient) -> None:
    root = routing.get("/api/users")
    assert (root.status_code, root.headers["location"]) == (307, "/api/users/")
    assert routing.get("/api/users/").json() == ["ada", "alan"]
    assert routing.get("/api/users/7").json() == {"user_id": 7}
    assert routing.get("/meta/health").json() == {"status": "ok"}
    assert routing.get("/meta/version").json() == {"version": "1.0"}
    app = routing.app
    assert app.url_for("user", user_id=3) == "/api/users/3"
    assert app.url_for("country", code="FR") == "/countries/FR"
    assert app.url_for("read_user", username="a b") == "/users/a%20b"
    assert app.url_for("read_file", file_path="x/y z") == "/files/x/y%20z"
    with pytest.raises(KeyError):
        app.url_for("no-such-route")
    with pytest.raises(ValueError):
        app.url_for("user")
    named = Router(prefix="/v2", name="api")

    @named.get("/{user_id:int}", name="user")
    async def user(request: Any, response: Any, user_id: int) -> dict[str, int]:
        return {}

    outer = get_application()
    outer.mount_router(named)
    assert outer.url_for("api.user", user_id=4) == "/v2/4"


def test_mounted_asgi_app_sees_root_path_and_full_path(routing: TestClient) -> None:
    answer = routing.get("/legacy/x/y")
    assert answer.text == "legacy app: root_path=/legacy path=/legacy/x/y"


def test_two_handlers_for_one_method_and_path_are_refused() -> None:
    app = get_application()

    @app.get("/twice")
    async def first(request: Any, response: Any) -> None:
        return None

    @app.get("/twice")
    async def second(request: Any, response: Any) -> None:
        return None

    with pytest.raises(ImproperlyConfigured, match="Two handlers for GET /twice"):
        app.build()
