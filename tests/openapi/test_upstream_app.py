"""An app written as upstream Nexios's OpenAPI guide shows runs unchanged, and its document says
what the guide promised (shared/API.md, "OpenAPI")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from nexios import NexiosApp, Router
from nexios.openapi.config import OpenAPIConfig
from nexios.openapi.models import APIKey, Contact, HTTPBearer, License, Query, Schema, Server
from nexios.testclient import TestClient

from .conftest import operation


class UserResponse(BaseModel):
    id: int
    name: str


class UserCreate(BaseModel):
    name: str


class ErrorResponse(BaseModel):
    detail: str


def test_the_upstream_guide_app(document_of: Any) -> None:
    config = OpenAPIConfig(
        title="My API", version="1.0.0", description="API for my app",
        servers=[Server(url="http://localhost:8000")],
        contact=Contact(name="API team", email="api@example.com"), license=License(name="MIT"),
        openapi_version="3.0.0",  # accepted; the document is OpenAPI 3.1 all the same
    )
    app = NexiosApp(config={"openapi": {"title": "My API", "version": "1.0.0", "swagger_url": "/docs"}})
    app.openapi_config.add_security_scheme("apiKey", APIKey(name="X-API-KEY", **{"in": "header",
                                                                                  "description": "My API key"}))
    app.docs.config.add_security_scheme("jwtAuth", HTTPBearer(type="http", scheme="bearer", bearerFormat="JWT"))
    assert config.openapi_version == "3.1.0"

    @app.get("/users/{user_id}", summary="Get user by ID", tags=["Users"],
             responses={200: UserResponse, 404: {"description": "User not found"}})
    async def get_user(request: Any, response: Any, user_id: int) -> Any:
        return response.json({"id": user_id, "name": "x"})

    @app.get("/users", summary="List users", tags=["Users"], parameters=[
        Query(name="page", description="Page number", required=False, schema=Schema(type="integer")),
        Query(name="limit", description="Items per page", required=False, schema={"type": "integer", "maximum": 100}),
    ])
    async def list_users(request: Any, response: Any) -> Any:
        return response.json([])

    @app.post("/users", request_model=UserCreate, responses={201: UserResponse, 400: ErrorResponse},
              security=[{"bearerAuth": []}, {"apiKey": []}], operation_id="createUser", deprecated=True,
              description="Create a user")
    async def create_user(request: Any, response: Any) -> Any:
        data = await request.json
        return response.json({"id": 1, **data}, status_code=201)

    @app.get("/internal", exclude_from_schema=True)
    async def internal(request: Any, response: Any) -> Any:
        return response.json({})

    admin = Router(prefix="/admin", exclude_from_schema=True)

    @admin.get("/stats")
    async def stats(request: Any, response: Any) -> Any:
        return response.json({})

    app.mount_router(admin)
    document = document_of(app)
    assert document["info"]["title"] == "My API"
    assert sorted(document["paths"]) == ["/users", "/users/{user_id}"]
    got = operation(document, "GET", "/users/{user_id}")
    assert (got["summary"], got["tags"]) == ("Get user by ID", ["Users"])
    assert got["parameters"][0]["schema"] == {"type": "integer"}  # the annotation says int
    assert got["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserResponse"}
    assert got["responses"]["404"]["description"] == "User not found"
    listed = operation(document, "GET", "/users")
    assert [(p["name"], p["schema"]) for p in listed["parameters"]] == [
        ("page", {"type": "integer"}), ("limit", {"type": "integer", "maximum": 100})]
    created = operation(document, "POST", "/users")
    assert created["operationId"] == "createUser" and created["deprecated"] is True
    assert created["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserCreate"}
    assert created["security"] == [{"bearerAuth": []}, {"apiKey": []}]
    assert set(document["components"]["securitySchemes"]) == {"apiKey", "jwtAuth", "bearerAuth"}
    http = TestClient(app)
    assert http.get("/docs").status_code == 200
    assert http.post("/users", json={"name": "ada"}).json() == {"id": 1, "name": "ada"}
    assert http.get("/admin/stats").status_code == 200
