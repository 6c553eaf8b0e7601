"""JSON bodies (pydantic models, embedding, ``Body``), forms and uploaded files."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, Field

from nexios import Depend, get_application
from nexios.dependencies import Body, File, Form, Query
from nexios.testclient import TestClient
from nexios_core.datastructures import UploadFile


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)
    tags: list[str] = []


class User(BaseModel):
    username: str


@dataclasses.dataclass
class Point:
    x: int
    y: int


# ----------------------------------------------------------------------------- JSON bodies
def _item_app() -> Any:
    app = get_application()

    @app.post("/items")
    async def create(request: Any, response: Any, item: Item) -> Any:
        assert isinstance(item, Item)
        return {"name": item.name, "price": item.price, "tags": item.tags}

    return app


def test_model_parameter_is_the_json_body() -> None:
    reply = TestClient(_item_app()).post("/items", json={"name": "pen", "price": 1.5, "tags": ["a"]})
    assert reply.status_code == 200
    assert reply.json() == {"name": "pen", "price": 1.5, "tags": ["a"]}


def test_invalid_body_lists_every_failing_field() -> None:
    reply = TestClient(_item_app()).post("/items", json={"price": -1, "tags": ["ok", 3]})
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert {tuple(e["loc"]) for e in detail} == {("body", "name"), ("body", "price"), ("body", "tags", 1)}
    types = {tuple(e["loc"]): e["type"] for e in detail}
    assert types[("body", "name")] == "missing"
    assert types[("body", "price")] == "greater_than"
    assert types[("body", "tags", 1)] == "string_type"
    assert all(set(e) == {"loc", "msg", "type"} for e in detail)


def test_missing_body_is_422_and_wrong_shape_is_422() -> None:
    client = TestClient(_item_app())
    reply = client.post("/items")
    assert reply.status_code == 422
    assert reply.json()["detail"] == [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
    reply = client.post("/items", json=[1, 2])
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body"]


def test_wrong_content_type_is_415() -> None:
    reply = TestClient(_item_app()).post("/items", content=b'{"name": "pen", "price": 1}',
                                         headers={"Content-Type": "text/plain"})
    assert reply.status_code == 415
    reply = TestClient(_item_app()).post("/items", data={"name": "pen", "price": "1"})
    assert reply.status_code == 415


def test_json_suffix_media_types_are_accepted() -> None:
    reply = TestClient(_item_app()).post("/items", content=b'{"name": "pen", "price": 1}',
                                         headers={"Content-Type": "application/merge-patch+json; charset=utf-8"})
    assert reply.status_code == 200


def test_malformed_json_is_400() -> None:
    client = TestClient(_item_app())
    for payload in (b"{bad", b'{"name": "pen",', b"\xff\xfe", b"[" * 10000 + b"]" * 10000):
        reply = client.post("/items", content=payload, headers={"Content-Type": "application/json"})
        assert reply.status_code == 400, payload[:20]


def test_two_body_parameters_are_embedded_by_name() -> None:
    app = get_application()

    @app.put("/items/{item_id}")
    async def update(request: Any, response: Any, item_id: int, item: Item, user: User,
                     importance: int = Body(1, ge=1)) -> Any:
        return {"id": item_id, "item": item.name, "user": user.username, "importance": importance}

    client = TestClient(app)
    reply = client.put("/items/3", json={"item": {"name": "pen", "price": 2}, "user": {"username": "ann"},
                                         "importance": 5})
    assert reply.json() == {"id": 3, "item": "pen", "user": "ann", "importance": 5}
    # The optional embedded key may be left out.
    reply = client.put("/items/3", json={"item": {"name": "pen", "price": 2}, "user": {"username": "ann"}})
    assert reply.json()["importance"] == 1
    reply = client.put("/items/3", json={"item": {"name": "pen"}, "importance": 0})
    assert reply.status_code == 422
    assert {tuple(e["loc"]) for e in reply.json()["detail"]} == {
        ("body", "item", "price"), ("body", "user"), ("body", "importance"),
    }
    reply = client.put("/items/3", json=["not", "an", "object"])
    assert reply.status_code == 422


def test_body_embed_true_wraps_a_single_parameter() -> None:
    app = get_application()

    @app.post("/embed")
    async def embedded(request: Any, response: Any, item: Item = Body(embed=True)) -> Any:
        return item.name

    @app.post("/plain")
    async def plain(request: Any, response: Any, count: int = Body(ge=0)) -> Any:
        return {"count": count}

    client = TestClient(app)
    assert client.post("/embed", json={"item": {"name": "pen", "price": 1}}).text == "pen"
    reply = client.post("/embed", json={"name": "pen", "price": 1})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "item"]
    assert client.post("/plain", json=4).json() == {"count": 4}
    assert client.post("/plain", json=-4).json()["detail"][0]["loc"] == ["body"]


def test_body_alias_and_optional_model() -> None:
    app = get_application()

    @app.post("/alias")
    async def alias(request: Any, response: Any, item: Item = Body(embed=True, alias="the-item")) -> Any:
        return item.name

    @app.post("/optional")
    async def optional(request: Any, response: Any, item: Item | None = None) -> Any:
        return {"item": None if item is None else item.name}

    client = TestClient(app)
    assert client.post("/alias", json={"the-item": {"name": "pen", "price": 1}}).text == "pen"
    assert client.post("/optional").json() == {"item": None}
    assert client.post("/optional", json={"name": "cup", "price": 2}).json() == {"item": "cup"}


def test_dataclass_and_list_of_models_bodies() -> None:
    app = get_application()

    @app.post("/point")
    async def point(request: Any, response: Any, p: Point) -> Any:
        return {"sum": p.x + p.y}

    @app.post("/batch")
    async def batch(request: Any, response: Any, items: list[Item]) -> Any:
        return [i.name for i in items]

    client = TestClient(app)
    assert client.post("/point", json={"x": 1, "y": 2}).json() == {"sum": 3}
    assert client.post("/point", json={"x": "a"}).status_code == 422
    assert client.post("/batch", json=[{"name": "a", "price": 1}, {"name": "b", "price": 2}]).json() == ["a", "b"]
    reply = client.post("/batch", json=[{"name": "a", "price": 1}, {"price": 2}])
    assert reply.json()["detail"][0]["loc"] == ["body", 1, "name"]


def test_body_errors_and_query_errors_are_reported_together() -> None:
    app = get_application()

    @app.post("/")
    async def handler(request: Any, response: Any, item: Item, dry_run: bool = Query()) -> Any:
        return "never"

    reply = TestClient(app).post("/?dry_run=perhaps", json={"name": "x"})
    assert reply.status_code == 422
    assert [e["loc"] for e in reply.json()["detail"]] == [["query", "dry_run"], ["body", "price"]]


def test_dependency_can_read_the_body_and_handler_reads_it_again() -> None:
    app = get_application()

    def audit(item: Item) -> str:
        return f"audit:{item.name}"

    @app.post("/")
    async def handler(request: Any, response: Any, item: Item, note: str = Depend(audit)) -> Any:
        raw = await request.json
        return {"note": note, "name": item.name, "raw": raw["name"]}

    reply = TestClient(app).post("/", json={"name": "pen", "price": 1})
    assert reply.json() == {"note": "audit:pen", "name": "pen", "raw": "pen"}


# ----------------------------------------------------------------------------- forms and files
def test_form_fields_urlencoded_and_multipart() -> None:
    app = get_application()

    @app.post("/login")
    async def login(request: Any, response: Any, username: str = Form(min_length=3),
                    remember: bool = Form(False), roles: list[str] = Form([])) -> Any:
        return {"username": username, "remember": remember, "roles": roles}

    client = TestClient(app)
    reply = client.post("/login", data={"username": "alice", "remember": "true", "roles": ["a", "b"]})
    assert reply.json() == {"username": "alice", "remember": True, "roles": ["a", "b"]}
    reply = client.post("/login", data={"username": "bob"}, files={"unused": ("f.txt", b"x")})
    assert reply.json() == {"username": "bob", "remember": False, "roles": []}
    reply = client.post("/login", data={"username": "al", "remember": "sometimes"})
    assert reply.status_code == 422
    assert {tuple(e["loc"]) for e in reply.json()["detail"]} == {("form", "username"), ("form", "remember")}
    reply = client.post("/login", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0] == {"loc": ["form", "username"], "msg": "Field required", "type": "missing"}


def test_form_with_json_content_type_is_415() -> None:
    app = get_application()

    @app.post("/")
    async def handler(request: Any, response: Any, name: str = Form()) -> Any:
        return name

    assert TestClient(app).post("/", json={"name": "x"}).status_code == 415


def test_single_and_multiple_file_uploads() -> None:
    app = get_application()

    @app.post("/upload")
    async def upload(request: Any, response: Any, document: UploadFile, title: str = Form("untitled")) -> Any:
        return {"name": document.filename, "type": document.content_type, "data": (await document.read()).decode(),
                "title": title}

    @app.post("/many")
    async def many(request: Any, response: Any, attachments: list[UploadFile] = File()) -> Any:
        return [(f.filename, (await f.read()).decode()) for f in attachments]

    @app.post("/maybe")
    async def maybe(request: Any, response: Any, extra: list[UploadFile] | None = File(None),
                    avatar: UploadFile | None = File(None)) -> Any:
        return {"extra": None if extra is None else len(extra), "avatar": None if avatar is None else avatar.filename}

    client = TestClient(app)
    reply = client.post("/upload", files={"document": ("notes.txt", b"hello", "text/plain")}, data={"title": "T"})
    assert reply.json() == {"name": "notes.txt", "type": "text/plain", "data": "hello", "title": "T"}

    reply = client.post("/many", files=[("attachments", ("a.txt", b"A")), ("attachments", ("b.txt", b"B"))])
    assert reply.json() == [["a.txt", "A"], ["b.txt", "B"]]

    missing = client.post("/upload", data={"title": "T"})
    assert missing.status_code == 422
    assert missing.json()["detail"] == [{"loc": ["form", "document"], "msg": "Field required", "type": "missing"}]
    missing = client.post("/many", data={"other": "x"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["form", "attachments"]

    # A text field where a file is expected is a 422, not a crash.
    not_a_file = client.post("/upload", data={"document": "just text"})
    assert not_a_file.status_code == 422
    assert not_a_file.json()["detail"][0]["loc"] == ["form", "document"]

    # Optional uploads default to their declared default when absent.
    assert client.post("/maybe", data={"x": "y"}).json() == {"extra": None, "avatar": None}
    assert client.post("/maybe", files={"avatar": ("me.png", b"\x89PNG")}).json() == {"extra": None, "avatar": "me.png"}


def test_file_where_a_field_is_expected_is_422() -> None:
    app = get_application()

    @app.post("/")
    async def handler(request: Any, response: Any, name: str = Form()) -> Any:
        return name

    reply = TestClient(app).post("/", files={"name": ("n.txt", b"x")})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["form", "name"]
