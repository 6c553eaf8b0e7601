"""Parameters in the document: path values with their converters' schemas, query, header and cookie
values with types, defaults, required-ness, aliases and constraints, from handlers and their
dependencies, and hand-written Parameter Objects (upstream's ``parameters=[Query(name=...)]``)."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from nexios import Depend, Router, get_application
from nexios.dependencies import Cookie, Header, Path, Query
from nexios.openapi.models import Header as HeaderParameter
from nexios.openapi.models import Query as QueryParameter
from nexios.openapi.models import Schema
from nexios_routing import register_converter

from .conftest import operation


class Colour(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Opaque:
    """A class pydantic knows nothing about."""

    def __init__(self, raw: str) -> None:
        self.raw = raw


def parameters(document: dict[str, Any], method: str, path: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["in"], p["name"]): p for p in operation(document, method, path).get("parameters", [])}


@pytest.mark.parametrize(
    ("template", "schema"),
    [
        ("{v}", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}),
        ("{v:str}", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}),
        ("{v:int}", {"type": "integer", "minimum": 0}),
        ("{v:float}", {"type": "number", "minimum": 0}),
        ("{v:uuid}", {"type": "string", "format": "uuid"}),
        ("{v:path}", {"type": "string"}),
    ],
)
def test_path_parameters_take_their_converters_schema(template: str, schema: dict[str, Any],
                                                      document_of: Any) -> None:
    app = get_application()

    @app.get(f"/things/{template}")
    async def thing(request: Any, response: Any) -> Any:
        return {}

    document = document_of(app)
    assert list(document["paths"]) == ["/things/{v}"]
    assert parameters(document, "GET", "/things/{v}") == {
        ("path", "v"): {"name": "v", "in": "path", "required": True, "schema": schema}
    }


def test_a_custom_converter_is_described_by_its_regex_or_its_own_schema(document_of: Any) -> None:
    class Slug:
        regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

        def convert(self, value: str) -> str:
            return value

        def to_string(self, value: Any) -> str:
            return str(value)

    class Year(Slug):
        regex = "[0-9]{4}"
        openapi_schema = {"type": "integer", "minimum": 1000, "maximum": 9999}

    register_converter("openapi_slug", Slug())
    register_converter("openapi_year", Year())
    app = get_application()

    @app.get("/posts/{year:openapi_year}/{slug:openapi_slug}")
    async def post(request: Any, response: Any) -> Any:
        return {}

    found = parameters(document_of(app), "GET", "/posts/{year}/{slug}")
    assert found[("path", "slug")]["schema"] == {"type": "string", "pattern": "^(?:[a-z0-9]+(?:-[a-z0-9]+)*)$"}
    assert found[("path", "year")]["schema"] == {"type": "integer", "minimum": 1000, "maximum": 9999}


def test_a_path_value_validated_by_annotation_and_constraints_is_described_so(document_of: Any) -> None:
    app = get_application()

    @app.get("/items/{item_id}")
    async def item(request: Any, response: Any, item_id: int = Path(ge=1, le=999, description="The item")) -> Any:
        return {}

    found = parameters(document_of(app), "GET", "/items/{item_id}")[("path", "item_id")]
    assert found == {"name": "item_id", "in": "path", "required": True, "description": "The item",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 999}}


def test_query_header_and_cookie_values_with_defaults_aliases_and_constraints(document_of: Any) -> None:
    app = get_application()

    @app.get("/search")
    async def search(
        request: Any, response: Any,
        q: str = Query(min_length=2, max_length=50, pattern="^[a-z ]+$", description="Words"),
        limit: int = Query(10, ge=1, le=100),
        tags: list[str] = Query([]),
        colour: Colour | None = None,
        mode: Literal["fast", "full"] = "fast",
        page: int = Query(1, alias="p", deprecated=True),
        hidden: str = Query("x", include_in_schema=False),
        user_agent: str | None = Header(None),
        token: str = Cookie(examples=["abc"]),
    ) -> Any:
        return {}

    document = document_of(app)
    found = parameters(document, "GET", "/search")
    assert set(found) == {("query", "q"), ("query", "limit"), ("query", "tags"), ("query", "colour"),
                          ("query", "mode"), ("query", "p"), ("header", "user-agent"), ("cookie", "token")}
    assert found[("query", "q")] == {"name": "q", "in": "query", "required": True, "description": "Words",
                                     "schema": {"type": "string", "minLength": 2, "maxLength": 50,
                                                "pattern": "^[a-z ]+$"}}
    assert found[("query", "limit")]["required"] is False
    assert found[("query", "limit")]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
    assert found[("query", "tags")]["schema"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert (found[("query", "tags")]["style"], found[("query", "tags")]["explode"]) == ("form", True)
    colour = found[("query", "colour")]["schema"]
    assert {"$ref": "#/components/schemas/Colour"} in colour["anyOf"]
    assert document["components"]["schemas"]["Colour"]["enum"] == ["red", "blue"]
    assert found[("query", "mode")]["schema"] == {"type": "string", "enum": ["fast", "full"], "default": "fast"}
    assert found[("query", "p")]["deprecated"] is True
    assert found[("header", "user-agent")]["required"] is False
    assert found[("cookie", "token")]["schema"]["examples"] == ["abc"]


def test_annotated_constraints_and_markers_are_read(document_of: Any) -> None:
    app = get_application()

    @app.get("/page")
    async def page(request: Any, response: Any,
                   size: Annotated[int, Field(ge=5), Query(description="Page size")] = 20) -> Any:
        return {}

    found = parameters(document_of(app), "GET", "/page")[("query", "size")]
    assert found["description"] == "Page size"
    assert found["schema"] == {"type": "integer", "minimum": 5, "default": 20}


def test_dependencies_parameters_belong_to_the_operation_and_prefix_parameters_are_declared(
        document_of: Any) -> None:
    def tenant(x_tenant: str = Header()) -> str:
        return x_tenant

    def paging(page: int = Query(1, ge=1), t: str = Depend(tenant)) -> int:
        return page

    router = Router(prefix="/shops/{shop_id:int}")

    @router.get("/orders/{order_id:uuid}")
    async def order(request: Any, response: Any, order_id: uuid.UUID, p: int = Depend(paging)) -> Any:
        return {}

    app = get_application()
    app.mount_router(router)
    found = parameters(document_of(app), "GET", "/shops/{shop_id}/orders/{order_id}")
    assert list(found) == [("path", "shop_id"), ("path", "order_id"), ("query", "page"), ("header", "x-tenant")]
    assert found[("path", "order_id")]["schema"] == {"type": "string", "format": "uuid"}


def test_hand_written_parameters_are_added_and_win_over_inferred_ones(document_of: Any) -> None:
    app = get_application()

    @app.get("/legacy", parameters=[
        QueryParameter(name="page", description="Page number", required=False, schema=Schema(type="integer")),
        HeaderParameter(name="X-Request-ID", schema={"type": "string", "format": "uuid"}),
        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
    ])
    async def legacy(request: Any, response: Any, limit: int = 10) -> Any:
        return {}

    found = parameters(document_of(app), "GET", "/legacy")
    assert found[("query", "page")] == {"name": "page", "in": "query", "description": "Page number",
                                        "required": False, "schema": {"type": "integer"}}
    assert found[("header", "X-Request-ID")]["schema"] == {"type": "string", "format": "uuid"}
    assert found[("query", "limit")] == {"name": "limit", "in": "query",
                                         "schema": {"type": "integer", "maximum": 50}}


def test_a_type_without_a_json_schema_is_any_value_with_a_warning(document_of: Any,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()

    @app.get("/opaque")
    async def opaque(request: Any, response: Any, value: Any = Query(None)) -> Any:
        return {}

    @app.get("/callable", response_model=None)
    async def callable_(request: Any, response: Any) -> Opaque:
        return Opaque("x")

    document = document_of(app)
    assert parameters(document, "GET", "/opaque")[("query", "value")]["schema"] == {}
    assert operation(document, "GET", "/callable")["responses"]["200"]["content"]["application/json"]["schema"] == {}
    assert "has no JSON Schema" in caplog.text and "Opaque" in caplog.text
