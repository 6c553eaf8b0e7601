"""Request bodies in the document: pydantic models and dataclasses as JSON, ``Body(...)`` (alone,
embedded, several), forms and uploads as ``multipart/form-data``, upstream's ``request_model``;
shared models as ``components/schemas`` references with names that never collide."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nexios import get_application
from nexios.dependencies import Body, File, Form
from nexios_core.datastructures import UploadFile

from .conftest import operation, schema_of


class Address(BaseModel):
    street: str
    city: str


class Customer(BaseModel):
    name: str = Field(min_length=1)
    address: Address


@dataclasses.dataclass
class Note:
    text: str
    pinned: bool = False


def body(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return operation(document, method, path)["requestBody"]  # type: ignore[no-any-return]


def test_a_model_body_is_a_required_json_body_referencing_shared_components(document_of: Any) -> None:
    app = get_application()

    @app.post("/customers")
    async def create(request: Any, response: Any, customer: Customer) -> Any:
        return {}

    @app.put("/customers/{cid:int}")
    async def replace(request: Any, response: Any, cid: int, customer: Customer) -> Any:
        return {}

    document = document_of(app)
    created = body(document, "POST", "/customers")
    assert created == {"required": True,
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}}}
    assert body(document, "PUT", "/customers/{cid}") == created
    schemas = document["components"]["schemas"]
    assert schemas["Customer"]["properties"]["address"] == {"$ref": "#/components/schemas/Address"}
    assert schemas["Customer"]["properties"]["name"]["minLength"] == 1
    assert set(schemas["Address"]["required"]) == {"street", "city"}


def test_dataclass_and_optional_bodies(document_of: Any) -> None:
    app = get_application()

    @app.post("/notes")
    async def note(request: Any, response: Any, note: Note) -> Any:
        return {}

    @app.patch("/notes")
    async def maybe(request: Any, response: Any, note: Note | None = None) -> Any:
        return {}

    document = document_of(app)
    assert schema_of(document, body(document, "POST", "/notes")["content"]["application/json"]["schema"])[
        "properties"]["pinned"] == {"default": False, "title": "Pinned", "type": "boolean"}
    assert "required" not in body(document, "PATCH", "/notes")


def test_several_bodies_and_embedded_bodies_are_keys_of_one_object(document_of: Any) -> None:
    app = get_application()

    @app.post("/orders")
    async def order(request: Any, response: Any, customer: Customer, quantity: int = Body(gt=0),
                    comment: str = Body("")) -> Any:
        return {}

    @app.post("/wrapped")
    async def wrapped(request: Any, response: Any, customer: Customer = Body(embed=True)) -> Any:
        return {}

    document = document_of(app)
    schema = body(document, "POST", "/orders")["content"]["application/json"]["schema"]
    assert schema["type"] == "object"
    assert schema["properties"]["customer"] == {"$ref": "#/components/schemas/Customer"}
    assert schema["properties"]["quantity"] == {"type": "integer", "exclusiveMinimum": 0}
    assert schema["properties"]["comment"] == {"type": "string", "default": ""}
    assert schema["required"] == ["customer", "quantity"]
    assert body(document, "POST", "/wrapped")["content"]["application/json"]["schema"]["properties"] == {
        "customer": {"$ref": "#/components/schemas/Customer"}}


def test_forms_and_files_are_multipart_with_binary_parts(document_of: Any) -> None:
    app = get_application()

    @app.post("/upload")
    async def upload(request: Any, response: Any, title: str = Form(max_length=80),
                     document: UploadFile = File(), extras: list[UploadFile] = File([])) -> Any:
        return {}

    @app.post("/login")
    async def login(request: Any, response: Any, username: str = Form(), remember: bool = Form(False)) -> Any:
        return {}

    document = document_of(app)
    multipart = body(document, "POST", "/upload")
    assert multipart["required"] is True
    assert list(multipart["content"]) == ["multipart/form-data"]
    schema = multipart["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["title"] == {"type": "string", "maxLength": 80}
    assert schema["properties"]["document"]["format"] == "binary"
    assert schema["properties"]["extras"] == {"type": "array", "items": schema["properties"]["document"]}
    assert schema["required"] == ["title", "document"]
    # Without files, the form may be sent url-encoded too.
    login_body = body(document, "POST", "/login")["content"]
    assert list(login_body) == ["multipart/form-data", "application/x-www-form-urlencoded"]
    assert login_body["application/x-www-form-urlencoded"]["schema"]["properties"]["remember"] == {
        "type": "boolean", "default": False}


def test_upstream_request_model_documents_a_body_the_handler_reads_itself(document_of: Any) -> None:
    app = get_application()

    @app.post("/raw", request_model=Customer)
    async def raw(request: Any, response: Any) -> Any:
        return await request.json

    @app.post("/form", request_model=Address, request_content_type="application/x-www-form-urlencoded")
    async def form(request: Any, response: Any) -> Any:
        return await request.form

    @app.post("/typed", request_model=Address)
    async def typed(request: Any, response: Any, customer: Customer) -> Any:
        return {}

    document = document_of(app)
    assert body(document, "POST", "/raw") == {
        "required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}}}
    # A typed body is what the handler really reads: it wins over the declaration.
    assert body(document, "POST", "/typed")["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Customer"}
    assert list(body(document, "POST", "/form")["content"]) == ["application/x-www-form-urlencoded"]
    responses = operation(document, "POST", "/raw")["responses"]
    assert {"400", "415"} <= set(responses) and "422" not in responses  # the handler validates nothing


def test_get_operations_have_no_request_body(document_of: Any) -> None:
    app = get_application()

    @app.route("/both", methods=["GET", "POST"])
    async def both(request: Any, response: Any, customer: Customer | None = None) -> Any:
        return {}

    document = document_of(app)
    assert "requestBody" not in operation(document, "GET", "/both")
    assert "requestBody" in operation(document, "POST", "/both")


def _module(tmp_path: Path, name: str, source: str) -> Any:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_two_models_with_the_same_name_get_distinct_stable_components(tmp_path: Path, document_of: Any) -> None:
    billing = _module(tmp_path, "openapi_billing", "import pydantic\nclass User(pydantic.BaseModel):\n    iban: str\n")
    shop = _module(tmp_path, "openapi_shop", "import pydantic\nclass User(pydantic.BaseModel):\n    cart: int\n")
    app = get_application()

    async def pay(request: Any, response: Any, user: Any) -> Any:
        return {}

    async def buy(request: Any, response: Any, user: Any) -> Any:
        return {}

    pay.__annotations__["user"] = billing.User
    buy.__annotations__["user"] = shop.User
    app.add_route("/pay", pay, ["POST"])
    app.add_route("/buy", buy, ["POST"])
    first = document_of(app)
    refs = {path: first["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            for path in ("/pay", "/buy")}
    assert refs["/pay"] != refs["/buy"]
    schemas = first["components"]["schemas"]
    assert "iban" in schemas[refs["/pay"].rsplit("/", 1)[1]]["properties"]
    assert "cart" in schemas[refs["/buy"].rsplit("/", 1)[1]]["properties"]
    app.docs.reset()
    assert app.openapi() == first  # the same names, build after build
