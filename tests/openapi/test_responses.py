"""Responses in the document: from the return annotation or the response model, from
``responses={...}`` (types, exception classes, descriptions, Response Objects), and the answers the
framework itself gives (404 for path values, 400/415 for bodies, 422 for validation)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from nexios import get_application
from nexios.dependencies import Query
from nexios.exceptions import Conflict, HTTPException, NotFoundException
from nexios.http.response import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from nexios.openapi.models import Response as ResponseObject

from .conftest import operation

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}}


class Pet(BaseModel):
    name: str


class TeapotError(HTTPException):
    """The server is a teapot today.

    (Longer explanation that stays out of the description.)"""

    status_code = 418


def responses(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return operation(document, method, path)["responses"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("annotation", "content"),
    [
        (Pet, {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}),
        (list[Pet], {"application/json": {"schema": {"type": "array",
                                                      "items": {"$ref": "#/components/schemas/Pet"}}}}),
        (dict[str, int], {"application/json": {"schema": {"type": "object",
                                                           "additionalProperties": {"type": "integer"}}}}),
        (str, {"text/plain": {"schema": {"type": "string"}}}),
        (bytes, {"application/octet-stream": {"schema": {"type": "string", "format": "binary",
                                                         "contentMediaType": "application/octet-stream"}}}),
        (HTMLResponse, {"text/html": {"schema": {"type": "string"}}}),
        (PlainTextResponse, {"text/plain": {"schema": {"type": "string"}}}),
        (JSONResponse, {"application/json": {"schema": {}}}),
        (FileResponse, None),
        (Any, None),
        (None, None),
    ],
)
def test_the_return_annotation_gives_the_success_body(annotation: Any, content: Any, document_of: Any) -> None:
    app = get_application()

    async def handler(request: Any, response: Any) -> Any:
        return None

    handler.__annotations__["return"] = annotation
    app.add_route("/thing", handler)
    success = responses(document_of(app), "GET", "/thing")["200"]
    assert success == ({"description": "Successful Response"} if content is None
                       else {"description": "Successful Response", "content": content})


def test_an_unannotated_or_builder_returning_handler_documents_no_body(document_of: Any) -> None:
    app = get_application()

    @app.get("/plain")
    async def plain(request, response):  # type: ignore[no-untyped-def]
        return response.text("hi")

    assert responses(document_of(app), "GET", "/plain") == {"200": {"description": "Successful Response"}}


def test_declared_responses_types_exceptions_descriptions_and_objects(document_of: Any) -> None:
    app = get_application()

    @app.post("/pets", responses={
        201: Pet,
        409: Conflict,
        418: TeapotError,
        "4XX": "Another client error",
        "default": ResponseObject(description="Anything else"),
        503: {"description": "Down for maintenance", "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
    })
    async def add(request: Any, response: Any) -> None:
        return None

    found = responses(document_of(app), "POST", "/pets")
    assert list(found) == ["201", "409", "418", "503", "4XX", "default"]
    assert found["201"] == {"description": "Created",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
    assert found["409"] == {"description": "Conflict", "content": ERROR}
    assert found["418"] == {"description": "The server is a teapot today.", "content": ERROR}
    assert found["4XX"] == {"description": "Another client error", "content": ERROR}
    assert found["default"] == {"description": "Anything else"}
    assert found["503"]["headers"] == {"Retry-After": {"schema": {"type": "integer"}}}
    assert found["503"]["content"] == ERROR


def test_a_described_success_keeps_the_annotated_body(document_of: Any) -> None:
    app = get_application()

    @app.post("/pets", responses={201: "The pet was added"})
    async def add(request: Any, response: Any) -> Pet:
        return Pet(name="x")

    found = responses(document_of(app), "POST", "/pets")
    assert list(found) == ["201"]  # the lowest declared 2xx is the success status; no 200
    assert found["201"] == {"description": "The pet was added",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}


def test_the_framework_answers_are_documented_where_they_can_happen(document_of: Any) -> None:
    app = get_application()

    @app.get("/pets/{pet_id:int}", responses={404: "No such pet"})
    async def get_pet(request: Any, response: Any, pet_id: int) -> Pet:
        raise NotFoundException()

    @app.post("/pets")
    async def add(request: Any, response: Any, pet: Pet) -> Pet:
        return pet

    @app.get("/pets")
    async def search(request: Any, response: Any, limit: int = Query(10, le=50)) -> list[Pet]:
        return []

    @app.get("/static")
    async def static(request: Any, response: Any) -> Pet:
        return Pet(name="x")

    document = document_of(app)
    by_id = responses(document, "GET", "/pets/{pet_id}")
    assert set(by_id) == {"200", "404"}  # an int path value needs no validation: no 422
    assert by_id["404"] == {"description": "No such pet", "content": ERROR}
    assert set(responses(document, "POST", "/pets")) == {"200", "400", "415", "422"}
    assert responses(document, "POST", "/pets")["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"}
    assert set(responses(document, "GET", "/pets")) == {"200", "422"}
    assert set(responses(document, "GET", "/static")) == {"200"}
    validation_item = document["components"]["schemas"]["ValidationError"]
    assert validation_item["required"] == ["loc", "msg", "type"]


def test_head_and_options_are_documented_only_when_declared(document_of: Any) -> None:
    app = get_application()

    @app.get("/a")
    async def a(request: Any, response: Any) -> Any:
        return {}

    @app.head("/b")
    async def b(request: Any, response: Any) -> None:
        return None

    @app.options("/c")
    async def c(request: Any, response: Any) -> None:
        return None

    paths = document_of(app)["paths"]
    assert {path: list(item) for path, item in paths.items()} == {"/a": ["get"], "/b": ["head"], "/c": ["options"]}
