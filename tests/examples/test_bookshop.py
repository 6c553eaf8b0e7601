"""``examples/bookshop.py`` behaves as its docstring and its OpenAPI document say."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from nexios.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bookshop.py"
STAFF = {"x-api-key": "staff-demo-key"}


@pytest.fixture
def shop() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bookshop_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    return module


def test_reading_the_catalogue_never_shows_internal_notes(shop: ModuleType) -> None:
    http = TestClient(shop.app)
    page = http.get("/books", params={"limit": 1})
    assert page.json()["total"] == 2 and len(page.json()["items"]) == 1
    book = http.get("/books/1").json()
    assert book == {"id": 1, "title": "Middlemarch", "author": "George Eliot", "year": 1871, "tags": ["novel"]}
    assert "internal_notes" not in http.get("/search", params={"q": "middle"}).text
    assert http.get("/books/99").json() == {"detail": "No book 99"}
    assert http.get("/books", params={"limit": 0}).status_code == 422


def test_changing_the_catalogue_needs_the_write_scope(shop: ModuleType) -> None:
    http = TestClient(shop.app)
    new = {"title": "Dune", "author": "Frank Herbert", "year": 1965}
    assert http.post("/books", json=new).status_code == 401
    created = http.post("/books", json=new, headers=STAFF)
    assert created.status_code == 201 and created.json()["title"] == "Dune"
    assert http.post("/books", json=new, headers=STAFF).status_code == 409
    token = http.post("/token", data={"username": "clerk", "password": "shelves"}).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    assert http.get("/me", headers=bearer).json() == {"username": "clerk", "scopes": ["books:write"]}
    assert http.delete(f"/books/{created.json()['id']}", headers=bearer).status_code == 204
    assert http.post("/token", data={"username": "clerk", "password": "wrong"}).status_code == 401


def test_covers_reviews_and_headers(shop: ModuleType) -> None:
    http = TestClient(shop.app)
    cover = http.post("/books/1/cover", files={"cover": ("c.png", b"\x89PNG...", "image/png")},
                      data={"caption": "First edition"}, headers=STAFF)
    assert cover.json() == {"book_id": 1, "filename": "c.png", "content_type": "image/png", "size": 7,
                            "caption": "First edition"}
    too_big = http.post("/books/1/cover", files={"cover": ("c.png", b"x" * (512 * 1024 + 1))}, headers=STAFF)
    assert too_big.status_code == 413
    review = http.post("/books/1/reviews", json={"stars": 5}, headers={"x-request-id": "abc"})
    assert (review.status_code, review.headers["x-request-id"]) == (201, "abc")
    assert http.get("/books/1/reviews").json() == [{"stars": 5, "text": "", "book_id": 1}]
    assert http.post("/books/1/reviews", json={"stars": 6}).status_code == 422


def test_the_documentation_pages_are_served(shop: ModuleType) -> None:
    http = TestClient(shop.app)
    for page in ("/docs", "/redoc", "/scalar"):
        assert http.get(page).status_code == 200
    assert http.get("/health").json() == {"status": "ok"}
    assert "/health" not in http.get("/openapi.json").json()["paths"]
