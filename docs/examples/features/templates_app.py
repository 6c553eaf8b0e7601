"""Server-rendered pages (docs/templates.md): one template engine for the app, pages with a
form protected by CSRF, hostile text escaped, a long page streamed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nexios import MakeConfig, get_application
from nexios.middleware.csrf import CSRFMiddleware
from nexios.session.middleware import SessionMiddleware
from nexios.templating import TemplateEngine

app = get_application(config=MakeConfig({"secret_key": "change me: a long random string from the environment"}))
app.add_middleware(SessionMiddleware())
app.add_middleware(CSRFMiddleware())

templates = TemplateEngine(
    directory=Path(__file__).parent / "templates",
    custom_globals={"site_name": "The Library"},
)
app.install(templates)


@templates.context_processor
def signed_in_user(request: Any) -> dict[str, Any]:
    return {"user": request.session.get("user")}


BOOKS = [{"id": 1, "title": "Dune"}, {"id": 2, "title": "Emma"}]


@app.get("/books")
async def list_books(request: Any, response: Any) -> Any:
    return await response.render("books.html", {"heading": "our books", "books": BOOKS})


@app.get("/books/{book_id:int}", name="book")
async def show_book(request: Any, response: Any, book_id: int) -> Any:
    return await response.render("book.html", {"book": BOOKS[book_id - 1]})


@app.post("/books", name="add_book")
async def add_book(request: Any, response: Any) -> Any:
    title = (await request.form)["title"]
    BOOKS.append({"id": len(BOOKS) + 1, "title": title})
    return response.redirect("/books", status_code=303)


@app.get("/catalogue")
async def catalogue(request: Any, response: Any) -> Any:
    every_title = (f"Volume {number}" for number in range(1, 10_001))
    return await response.render("catalogue.html", {"books": every_title}, stream=True)
