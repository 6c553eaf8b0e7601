"""Pagination: the three strategies over lists and async sources, links (body and ``Link``
header), typed parameters in the OpenAPI document, and hostile page numbers, sizes and cursors
answered with a clean 400."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from nexios import Depend, get_application
from nexios.pagination import (
    AsyncDataHandler,
    CursorPagination,
    LimitOffsetPagination,
    LinkBuilder,
    PageNumberPagination,
)
from nexios.testclient import TestClient
from nexios_core import ImproperlyConfigured

BOOKS = [{"id": number, "title": f"Book {number}"} for number in range(1, 24)]


class CountingSource(AsyncDataHandler):
    """An async source that records what was asked of it (a database would run these queries)."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, ...]] = []

    async def get_total_items(self) -> int:
        return len(BOOKS)

    async def get_items(self, offset: int, limit: int) -> list[Any]:
        self.asked.append(("slice", offset, limit))
        return BOOKS[offset:offset + limit]

    async def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        self.asked.append(("after", value, limit))
        return [book for book in BOOKS if book[field] > value][:limit]

    async def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        self.asked.append(("before", value, limit))
        return [book for book in BOOKS if book[field] < value][-limit:]


def build() -> tuple[Any, CountingSource]:
    app = get_application()
    source = CountingSource()
    pages = PageNumberPagination(default_page_size=5, max_page_size=10)

    @app.get("/books")
    async def books(request: Any, response: Any) -> Any:
        return response.paginate(BOOKS, strategy=pages)

    @app.get("/typed")
    async def typed(request: Any, response: Any, page: Any = Depend(pages.params)) -> Any:
        return response.paginate(BOOKS, strategy=page)

    @app.get("/window")
    async def window(request: Any, response: Any) -> Any:
        return await response.apaginate(source, strategy=LimitOffsetPagination(default_limit=4, max_limit=8))

    @app.get("/feed")
    async def feed(request: Any, response: Any) -> Any:
        return await response.apaginate(source, strategy="cursor", default_page_size=4)

    @app.get("/upstream")
    def upstream(request: Any, response: Any) -> Any:
        return response.paginate(data=BOOKS)  # the docs' spelling, in a sync handler

    return app, source


@pytest.fixture
def client() -> Any:
    app, source = build()
    with TestClient(app) as http:
        http.source = source  # type: ignore[attr-defined]
        yield http


def test_page_number_pages_links_and_link_header(client: Any) -> None:
    answer = client.get("/books?page=2&q=tolkien&tag=a&tag=b")
    body = answer.json()
    assert [book["id"] for book in body["items"]] == [6, 7, 8, 9, 10]
    assert body["pagination"] == {
        "total_items": 23, "total_pages": 5, "page": 2, "page_size": 5,
        "links": {
            "first": "/books?q=tolkien&tag=a&tag=b&page=1&page_size=5",
            "last": "/books?q=tolkien&tag=a&tag=b&page=5&page_size=5",
            "prev": "/books?q=tolkien&tag=a&tag=b&page=1&page_size=5",
            "next": "/books?q=tolkien&tag=a&tag=b&page=3&page_size=5",
        },
    }
    assert answer.headers["link"].count("?") == 4 and 'rel="next"' in answer.headers["link"]
    last = client.get("/books?page=5").json()
    assert [book["id"] for book in last["items"]] == [21, 22, 23] and "next" not in last["pagination"]["links"]
    assert client.get("/upstream").json()["pagination"]["page_size"] == 20


def test_links_ignore_the_host_header_and_never_double_the_question_mark() -> None:
    links = LinkBuilder("/books?already=1", {"q": "x"}, ["page"])
    assert links.build_link({"page": 2}) == "/books?q=x&page=2"
    app, _ = build()
    with TestClient(app) as http:
        answer = http.get("/books", headers={"host": "evil.example"})
    assert all(url.startswith("/books?") for url in answer.json()["pagination"]["links"].values())


def test_a_page_size_above_the_maximum_is_reduced_to_it(client: Any) -> None:
    for path in ["/books?page_size=1000000", "/typed?page_size=1000000"]:
        pagination = client.get(path).json()["pagination"]
        assert pagination["page_size"] == 10 and pagination["total_pages"] == 3
    assert client.get("/window?limit=500").json()["pagination"]["limit"] == 8


@pytest.mark.parametrize("query", [
    "page=0", "page=-3", "page=abc", "page=1.5", "page=" + "9" * 19, "page=" + "9" * 10_000, "page=%00",
    "page_size=0", "page_size=-1", "page_size=ten", "page=1&page=2", "page=99", "page=999999999999999999",
])
def test_garbage_or_huge_page_numbers_are_a_clean_400(client: Any, query: str) -> None:
    answer = client.get(f"/books?{query}")
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"detail"} and ("page" in answer.json()["detail"].lower())


@pytest.mark.parametrize("query", ["offset=-1", "offset=23", "limit=0", "offset=" + "1" * 40, "limit=x"])
def test_garbage_limits_and_offsets_are_a_clean_400(client: Any, query: str) -> None:
    assert client.get(f"/window?{query}").status_code == 400


def _cursor(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("cursor", [
    "%%%not-base64%%%", _cursor(b"not json"), _cursor(b"\xff\xfe"), "A" * 10_000, _cursor([1, 2]),
    _cursor({"id": {"nested": [1, [2, [3]]]}}), _cursor({"id": [1]}), _cursor({"id": True}),
    _cursor({"other": 1}), _cursor({"id": 1, "extra": 2}), _cursor({"id": "text"}), _cursor(b"[" * 150),
    _cursor({"id": 1, "$before": "yes"}), _cursor(b'{"id": NaN}'), _cursor(b'{"id": 1e999}'),
])
def test_cursors_this_server_did_not_make_are_a_clean_400(client: Any, cursor: str) -> None:
    answer = client.get("/feed", params={"cursor": cursor})
    assert answer.status_code == 400, answer.text
    assert "cursor" in answer.json()["detail"]


def test_cursor_pages_forward_and_back_reading_one_page_at_a_time(client: Any) -> None:
    first = client.get("/feed").json()
    assert [book["id"] for book in first["items"]] == [1, 2, 3, 4] and "prev" not in first["pagination"]["links"]
    second = client.get(first["pagination"]["links"]["next"]).json()
    assert [book["id"] for book in second["items"]] == [5, 6, 7, 8]
    back = client.get(second["pagination"]["links"]["prev"]).json()
    assert [book["id"] for book in back["items"]] == [1, 2, 3, 4] and "prev" not in back["pagination"]["links"]
    page = first
    seen: list[int] = []
    while True:
        seen += [book["id"] for book in page["items"]]
        if "next" not in page["pagination"]["links"]:
            break
        page = client.get(page["pagination"]["links"]["next"]).json()
    assert seen == list(range(1, 24))
    assert ("slice", 0, 5) in client.source.asked  # one item more than the page: is there a next one?
    assert all(limit <= 5 for *_, limit in client.source.asked)


def test_typed_parameters_are_validated_and_documented() -> None:
    app, _ = build()
    with TestClient(app) as http:
        invalid = http.get("/typed?page=abc")
        assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["query", "page"]
        assert http.get("/typed?page=2").json()["pagination"]["page"] == 2
    parameters = app.openapi()["paths"]["/typed"]["get"]["parameters"]
    assert {(p["name"], p["in"], p["schema"]["type"], p["schema"].get("default")) for p in parameters} == {
        ("page", "query", "integer", 1), ("page_size", "query", "integer", 5),
    }


def test_strategy_settings_are_checked_at_construction() -> None:
    with pytest.raises(ImproperlyConfigured):
        PageNumberPagination(default_page_size=50, max_page_size=10)
    with pytest.raises(ImproperlyConfigured):
        CursorPagination(default_page_size=0)
    with pytest.raises(ImproperlyConfigured, match="not Python names"):
        _ = PageNumberPagination(page_param="page[number]").params


def test_a_maximum_alone_below_the_default_lowers_the_default() -> None:
    # Upstream Nexios clamped here: `max_limit=7` alone must not be a 500 at the first request.
    app = get_application()

    @app.get("/small")
    async def small(request: Any, response: Any) -> Any:
        return response.paginate(BOOKS, strategy="limit_offset", max_limit=7)

    @app.get("/small-cursor")
    async def small_cursor(request: Any, response: Any) -> Any:
        return await response.apaginate(BOOKS, strategy=CursorPagination(max_page_size=3))

    with TestClient(app) as http:
        window = http.get("/small").json()
        assert len(window["items"]) == 7 and window["pagination"]["limit"] == 7
        assert http.get("/small", params={"limit": 100}).json()["pagination"]["limit"] == 7
        assert [book["id"] for book in http.get("/small-cursor").json()["items"]] == [1, 2, 3]
    assert PageNumberPagination(max_page_size=10).default_page_size == 10
    assert PageNumberPagination(max_page_size=500).default_page_size == 20
