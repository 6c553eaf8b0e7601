"""Upstream's middleware guide, as written there (``apps/middleware_guide.py``), runs on the
facade: in the order added, each layer once, ``cnext(req, res)`` and ``next()`` alike."""

from __future__ import annotations

import pytest

from nexios.testclient import TestClient
from tests.compat.apps import middleware_guide

COOKIE = {"session_id": "abc"}


@pytest.fixture
def client() -> TestClient:
    middleware_guide.seen.clear()
    with TestClient(middleware_guide.app, cookies=COOKIE) as client:
        yield client


def test_function_and_class_middleware_run_in_the_order_added_and_once(client: TestClient) -> None:
    response = client.get("/")
    assert response.text == "Hello, World! (timed: True)"
    assert response.headers["x-example"] == "processed"
    assert response.headers["x-nexios-middleware"] == "true"
    assert response.headers["x-raw"] == "arg1,arg2"  # wrap_asgi passed its arguments
    assert middleware_guide.seen == [
        "Received request: GET /",
        "Processing Request: GET http://testserver/",
        "Processing Response: 200",
    ]


def test_a_middleware_answering_early_short_circuits_the_rest() -> None:
    middleware_guide.seen.clear()
    with TestClient(middleware_guide.app) as client:
        response = client.get("/")
    assert (response.status_code, response.json()) == (400, {"error": "Missing session_id cookie"})
    assert middleware_guide.seen == ["Received request: GET /"]


def test_route_and_router_middleware(client: TestClient) -> None:
    assert client.get("/profile").status_code == 401
    assert client.get("/profile", headers={"Authorization": "x"}).json() == {"message": "Welcome to your profile!"}
    assert client.get("/admin/dashboard").status_code == 403
    allowed = client.get("/admin/dashboard", headers={"Admin-Token": "t"})
    assert allowed.json() == {"message": "Welcome to the admin dashboard!"}
