"""Markers written as ``Annotated[T, marker]`` behave exactly like markers written as defaults."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from nexios import Depend, get_application
from nexios.dependencies import Header, Query
from nexios.testclient import TestClient


class Item(BaseModel):
    name: str


def current_user() -> str:
    return "ada"


def make_client() -> TestClient:
    app = get_application()

    @app.get("/a")
    async def read(
        request: Any,
        response: Any,
        user: Annotated[str, Depend(current_user)],
        limit: Annotated[int, Query(ge=1)] = 10,
        tag: Annotated[str, Field(max_length=3)] = "x",
        token: Annotated[str | None, Header(alias="x-token")] = None,
    ) -> Any:
        return {"user": user, "limit": limit, "tag": tag, "token": token}

    @app.post("/b")
    async def create(request: Any, response: Any, item: Annotated[Item, "documentation only"]) -> Any:
        return item

    return TestClient(app)


def test_a_dependency_in_annotated_cannot_be_supplied_by_the_client() -> None:
    # Before Annotated was understood, `user` silently became a query parameter: ?user=bob won.
    assert make_client().get("/a?user=bob").json()["user"] == "ada"


def test_query_marker_in_annotated_takes_the_python_default_and_its_constraints() -> None:
    client = make_client()
    assert client.get("/a").json()["limit"] == 10
    refused = client.get("/a?limit=0")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "limit"]


def test_pydantic_constraints_in_annotated_are_enforced() -> None:
    refused = make_client().get("/a?tag=abcd")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["type"] == "string_too_long"


def test_header_marker_in_annotated_reads_the_header() -> None:
    assert make_client().get("/a", headers={"x-token": "t"}).json()["token"] == "t"


def test_other_metadata_keeps_a_model_a_json_body() -> None:
    assert make_client().post("/b", json={"name": "n"}).json() == {"name": "n"}
