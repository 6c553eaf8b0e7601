"""Pagination (docs/pagination.md): pages of a list, windows of an async source, cursors, and
typed page parameters that the OpenAPI document lists."""

from __future__ import annotations

from typing import Any

from nexios import Depend, get_application
from nexios.pagination import AsyncDataHandler, CursorPagination, PageNumberPagination, PageRequest

app = get_application()
ARTICLES = [{"id": number, "title": f"Article {number}"} for number in range(1, 96)]


@app.get("/articles")
async def list_articles(request: Any, response: Any) -> Any:
    return response.paginate(ARTICLES)  # ?page=2&page_size=10


pages = PageNumberPagination(default_page_size=10, max_page_size=50)


@app.get("/typed-articles")
async def typed_articles(request: Any, response: Any, page: PageRequest = Depend(pages.params)) -> Any:
    return response.paginate(ARTICLES, strategy=page)


class ArticleTable(AsyncDataHandler):
    """What a database-backed source looks like: each method is one query."""

    async def get_total_items(self) -> int:
        return len(ARTICLES)  # SELECT count(*) FROM articles

    async def get_items(self, offset: int, limit: int) -> list[Any]:
        return ARTICLES[offset:offset + limit]  # ... ORDER BY id LIMIT :limit OFFSET :offset

    async def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        return [row for row in ARTICLES if row[field] > value][:limit]  # ... WHERE id > :value

    async def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        return [row for row in ARTICLES if row[field] < value][-limit:]


@app.get("/window")
async def window(request: Any, response: Any) -> Any:
    return await response.apaginate(ArticleTable(), strategy="limit_offset", max_limit=25)  # ?limit=&offset=


feed = CursorPagination(sort_field="id", value_type=int, default_page_size=20)


@app.get("/feed")
async def article_feed(request: Any, response: Any) -> Any:
    return await response.apaginate(ArticleTable(), strategy=feed)  # ?cursor=...
