"""The document as a whole: info and settings, operations of every route (mounted routers with
their prefixes and tags), stable unique operation ids, summaries and descriptions, deprecation,
exclusion, per-route ``openapi_extra``, post-processing, caching, and the server under a prefix."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import Router, get_application
from nexios.openapi import Contact, License, OpenAPI, OpenAPIConfig, Server, Tag
from nexios.testclient import TestClient
from nexios_core.exceptions import ImproperlyConfigured

from .conftest import operation


def test_info_servers_tags_and_external_docs_come_from_the_config(document_of: Any) -> None:
    config = OpenAPIConfig(
        title="Shop", version="3.2.1", description="Sells things.", summary="A shop",
        servers=[Server(url="https://api.example.com", description="Production")],
        contact=Contact(name="Team", email="team@example.com"), license=License(name="MIT", identifier="MIT"),
        terms_of_service="https://example.com/terms", tags=[Tag(name="orders", description="Orders")],
        external_docs={"url": "https://example.com/docs"},
    )
    config.add_tag("items", "What we sell")
    app = get_application(openapi=OpenAPI(config))

    @app.get("/items", tags=["items", "catalogue"])
    async def items(request: Any, response: Any) -> Any:
        return []

    document = document_of(app)
    assert document["openapi"] == "3.1.0"
    assert document["info"] == {"title": "Shop", "version": "3.2.1", "summary": "A shop",
                                "description": "Sells things.", "termsOfService": "https://example.com/terms",
                                "contact": {"name": "Team", "email": "team@example.com"},
                                "license": {"name": "MIT", "identifier": "MIT"}}
    assert document["servers"] == [{"url": "https://api.example.com", "description": "Production"}]
    assert document["tags"] == [{"name": "orders", "description": "Orders"},
                                {"name": "items", "description": "What we sell"}, {"name": "catalogue"}]
    assert document["externalDocs"] == {"url": "https://example.com/docs"}


def test_the_app_title_version_and_description_describe_the_api(document_of: Any) -> None:
    app = get_application(title="Inventory", version="0.3.0", description="Stock levels.")
    assert document_of(app)["info"] == {"title": "Inventory", "version": "0.3.0", "description": "Stock levels."}
    app2 = get_application(title="Named", openapi=OpenAPI(scalar_url="/scalar"))
    assert document_of(app2)["info"]["title"] == "Named"


def test_mounted_routers_give_full_paths_and_their_tags(document_of: Any) -> None:
    app = get_application()
    api = Router(prefix="/api", tags=["api"])
    users = Router(prefix="/users", tags=["users"])

    @users.get("/{user_id:int}", tags=["reading"])
    async def get_user(request: Any, response: Any, user_id: int) -> Any:
        return {}

    api.mount_router(users)
    app.mount_router(api)
    document = document_of(app)
    assert list(document["paths"]) == ["/api/users/{user_id}"]
    assert operation(document, "GET", "/api/users/{user_id}")["tags"] == ["api", "users", "reading"]


def test_summary_description_operation_id_and_deprecation(document_of: Any) -> None:
    app = get_application()

    @app.get("/a")
    async def list_all_items(request: Any, response: Any) -> Any:
        """List every item.

            Indented details
        survive as markdown."""
        return []

    @app.post("/b", summary="Make one", description="Explicit.", operation_id="makeOne", deprecated=True)
    async def make(request: Any, response: Any) -> Any:
        """Ignored: the description was given."""
        return {}

    @app.route("/c", methods=["PUT", "PATCH"], name="change")
    async def change(request: Any, response: Any) -> Any:
        return {}

    document = document_of(app)
    first = operation(document, "GET", "/a")
    assert (first["summary"], first["operationId"]) == ("List All Items", "list_all_items")
    assert first["description"] == "List every item.\n\n    Indented details\nsurvive as markdown."
    second = operation(document, "POST", "/b")
    assert (second["summary"], second["description"], second["operationId"], second["deprecated"]) == (
        "Make one", "Explicit.", "makeOne", True)
    assert [operation(document, m, "/c")["operationId"] for m in ("PUT", "PATCH")] == ["change_put", "change_patch"]


def test_operation_ids_stay_unique_when_handler_names_repeat(document_of: Any) -> None:
    app = get_application()
    for prefix in ("/v1", "/v2"):
        router = Router(prefix=prefix)

        @router.get("/users")
        async def list_users(request: Any, response: Any) -> Any:
            return []

        app.mount_router(router)

    document = document_of(app)
    ids = [operation(document, "GET", path)["operationId"] for path in ("/v1/users", "/v2/users")]
    assert ids == ["list_users_v1_users_get", "list_users_v2_users_get"]
    app.docs.reset()
    assert [operation(app.openapi(), "GET", p)["operationId"] for p in ("/v1/users", "/v2/users")] == ids


def test_a_repeated_explicit_operation_id_is_refused() -> None:
    app = get_application()

    @app.get("/a", operation_id="same")
    async def a(request: Any, response: Any) -> Any:
        return {}

    @app.get("/b", operation_id="same")
    async def b(request: Any, response: Any) -> Any:
        return {}

    with pytest.raises(ImproperlyConfigured, match="operation_id 'same' is given to several routes"):
        app.openapi()


def test_two_routes_on_one_openapi_path_are_named_and_the_first_is_described(
        document_of: Any, caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()

    @app.get("/items/{item_id:int}", tags=["items"])
    async def item_by_id(request: Any, response: Any, item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/items/{item_id}")
    async def item_by_name(request: Any, response: Any, item_id: str) -> dict[str, str]:
        return {"name": item_id}

    @app.get("/things/{thing_id:int}")
    async def thing_by_id(request: Any, response: Any, thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    @app.get("/things/{slug}")
    async def thing_by_slug(request: Any, response: Any, slug: str) -> dict[str, str]:
        return {"slug": slug}

    @app.post("/things/{slug}")  # another method: no clash
    async def make_thing(request: Any, response: Any, slug: str) -> dict[str, str]:
        return {"slug": slug}

    document = document_of(app)
    # One operation per method and path: the route the router tries first is described (the
    # last one registered silently replaced it).
    described = operation(document, "GET", "/items/{item_id}")
    assert described["operationId"] == "item_by_id" and described["tags"] == ["items"]
    assert described["parameters"][0]["schema"]["type"] == "integer"
    # Paths differing in parameter names only are kept (tools read them) but named as a fault.
    assert set(document["paths"]) == {"/items/{item_id}", "/things/{thing_id}", "/things/{slug}"}
    assert set(document["paths"]["/things/{slug}"]) == {"get", "post"}
    warnings = [r.getMessage() for r in caplog.records if "one path to OpenAPI" in r.getMessage()]
    assert len(warnings) == 2, warnings
    assert "/items/{item_id:int} (item_by_id)" in warnings[0] and "(item_by_name)" in warnings[0]
    assert "describes the first only" in warnings[0]
    assert "(thing_by_id)" in warnings[1] and "(thing_by_slug)" in warnings[1] and "forbids" in warnings[1]
    http = TestClient(app)
    assert http.get("/items/7").json() == {"id": 7} and http.get("/items/x").json() == {"name": "x"}


def test_excluded_routes_routers_websockets_and_the_docs_themselves_are_left_out(document_of: Any) -> None:
    app = get_application()
    internal = Router(prefix="/internal", exclude_from_schema=True)

    @internal.get("/metrics")
    async def metrics(request: Any, response: Any) -> Any:
        return {}

    @app.get("/hidden", exclude_from_schema=True)
    async def hidden(request: Any, response: Any) -> Any:
        return {}

    @app.get("/also-hidden", include_in_schema=False)
    async def also_hidden(request: Any, response: Any) -> Any:
        return {}

    @app.get("/shown")
    async def shown(request: Any, response: Any) -> Any:
        return {}

    @app.websocket("/ws")
    async def ws(websocket: Any) -> None:
        await websocket.close()

    app.mount_router(internal)
    TestClient(app).get("/docs")  # the docs routes now exist too
    assert list(document_of(app)["paths"]) == ["/shown"]
    assert TestClient(app).get("/internal/metrics").status_code == 200  # excluded, still served


def test_openapi_extra_and_post_process(document_of: Any) -> None:
    def post_process(document: dict[str, Any]) -> None:
        document["info"]["x-logo"] = {"url": "/logo.png"}

    app = get_application(openapi=OpenAPI(post_process=post_process))

    @app.get("/x", openapi_extra={"x-rate-limit": 10, "responses": {"200": {"description": "Fine"}}})
    async def x(request: Any, response: Any) -> Any:
        return {}

    document = document_of(app)
    assert document["info"]["x-logo"] == {"url": "/logo.png"}
    found = operation(document, "GET", "/x")
    assert found["x-rate-limit"] == 10
    assert found["responses"]["200"] == {"description": "Fine"}


def test_a_post_process_may_return_a_new_document(document_of: Any) -> None:
    app = get_application(openapi=OpenAPI(post_process=lambda document: {**document, "x-built-by": "us"}))
    assert document_of(app)["x-built-by"] == "us"


def test_the_document_is_built_once_and_served_as_cached_bytes() -> None:
    app = get_application()
    calls = []

    def counting(document: dict[str, Any]) -> None:
        calls.append(1)

    app.docs.post_process = counting
    http = TestClient(app)
    first = http.get("/openapi.json")
    second = http.get("/openapi.json")
    assert (first.status_code, first.headers["content-type"]) == (200, "application/json")
    assert first.content == second.content and calls == [1]
    app.docs.reset()
    http.get("/openapi.json")
    assert calls == [1, 1]


def test_under_a_root_path_the_document_names_that_prefix_as_its_server() -> None:
    app = get_application()

    @app.get("/ping")
    async def ping(request: Any, response: Any) -> Any:
        return "pong"

    mounted = TestClient(app, root_path="/gateway")
    assert mounted.get("/openapi.json").json()["servers"] == [{"url": "/gateway"}]
    assert "servers" not in TestClient(app).get("/openapi.json").json()


def test_an_app_without_a_router_cannot_be_documented() -> None:
    from nexios_core.app import App

    with pytest.raises(ImproperlyConfigured, match="nexios_routing.Router"):
        OpenAPI().setup(App())


def test_a_document_built_before_start_up_is_rebuilt_with_every_route() -> None:
    app = get_application()

    @app.get("/early")
    async def early(request: Any, response: Any) -> Any:
        return {}

    assert list(app.openapi()["paths"]) == ["/early"]

    @app.get("/late")
    async def late(request: Any, response: Any) -> Any:
        return {}

    with TestClient(app) as http:  # start-up
        assert list(http.get("/openapi.json").json()["paths"]) == ["/early", "/late"]
