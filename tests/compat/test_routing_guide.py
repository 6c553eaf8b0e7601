"""Upstream's routing guide, as written there (``apps/routing_guide.py``), runs on the facade."""

from __future__ import annotations

import uuid

import pytest

from nexios.testclient import TestClient
from tests.compat.apps import routing_guide


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(routing_guide.app) as client:
        yield client


def test_decorator_routes_and_methods(client: TestClient) -> None:
    assert client.get("/").json() == {"message": "Hello, world!"}
    assert client.post("/").json() == {"message": "Hello World"}
    assert client.delete("/").text == "DELETE /"
    assert client.request("PURGE", "/cache").text == "PURGE Method /cache"
    assert client.put("/post").json() == client.delete("/post").json() == {"message": "Hello World"}
    assert client.get("/post").status_code == 405


def test_routes_objects_passed_to_the_app(client: TestClient) -> None:
    assert client.get("/dynamic").json() == {"message": "Hello World"}
    assert client.post("/dynamic").status_code == 405  # "Handles GET by default"
    assert client.post("/dynamic-post").json() == {"message": "Hello World"}


def test_the_detailed_routes_object_with_its_middlewares_and_openapi_options(client: TestClient) -> None:
    assert client.get("/users/7").json() == {"error": "Unauthorized"}
    allowed = client.get("/users/7", headers={"Authorization": "Bearer x"})
    assert allowed.json() == {"id": "7", "name": "Ada"} and allowed.headers["x-logged"] == "yes"
    assert client.get("/users/7").status_code == 401
    operation = client.get("/openapi.json").json()["paths"]["/users/{user_id}"]["get"]
    assert operation["operationId"] == "getUserDetail" and operation["tags"] == ["users"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "include_details" in [parameter["name"] for parameter in operation["parameters"]]


def test_path_parameters_read_as_attributes_or_arguments(client: TestClient) -> None:
    expected = {"message": "post_id: 1, comment_id: 2"}
    assert client.get("/posts/1/comment/2").json() == expected
    assert client.get("/direct/1/comment/2").json() == expected
    assert client.get("/articles").json() == {"post_id": None}
    assert client.get("/articles/9").json() == {"post_id": "9"}


def test_converters(client: TestClient) -> None:
    assert client.get("/items/42").text == "Item ID: 42 (Integer)"
    assert client.get("/items/apple").status_code == 404
    assert client.get("/price/99.99").text == "Amount: 99.99 (Float)"
    assert client.get("/files/documents/report.pdf").text == "File Path: documents/report.pdf"
    some_id = uuid.uuid4()
    assert client.get(f"/people/{some_id}").text == f"User ID: {some_id} (UUID)"
    assert client.get("/people/12345").status_code == 404
    assert client.post("/person/anyname").text == "Username: anyname"
    assert client.get("/blog/my-first-post").text == "Slug: my-first-post"
    for not_a_slug in ("/blog/My-Post", "/blog/-x", "/blog/a--b", "/blog/a_b"):
        assert client.get(not_a_slug).status_code == 404, not_a_slug


def test_reverse_routing_and_nested_router_names(client: TestClient) -> None:
    assert client.get("/reverse").text == "/posts/123/comment/456"
    assert client.get("/v1/posts/1/comment/2").text == "/v1/posts/123/comment/456"
    assert routing_guide.app.url_for("blog_post", slug="a-b") == "/blog/a-b"
    with pytest.raises(ValueError):
        routing_guide.app.url_for("blog_post", slug="Not A Slug")


def test_websocket_routes_routers_and_prefix_override(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"a": 1})
        assert ws.receive_json() == {"status": "success", "data": {"a": 1}}
    for path in ("/ws-routes", "/ws-overide/ws", "/listed"):
        with client.websocket_connect(path) as ws:
            assert ws.receive_text() == "Hello World"
    for path in ("/ws-overide/ws2", "/listed2"):
        with client.websocket_connect(path) as ws:
            ws.send_text("hi")
            assert ws.receive_text() == "Received: hi"
