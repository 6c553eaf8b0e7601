"""Errors: HTTPException, exception handlers by class and by status, and the 500 answer
in production and in debug mode (docs/errors.md)."""

from __future__ import annotations

import html
import os
from typing import Any

from nexios import get_application
from nexios.exceptions import HTTPException, NotFoundException, Unauthorized
from nexios.http import Request, Response

# Debug pages only when asked for, never by default.
app = get_application(debug=os.environ.get("APP_DEBUG") == "1")

BOOKS = {1: "Dune"}


class OutOfStock(Exception):
    """A domain error: the handler below turns it into a 409."""

    def __init__(self, book_id: int) -> None:
        super().__init__(f"Book {book_id} is out of stock")
        self.book_id = book_id


@app.get("/books/{book_id:int}")
async def read_book(request: Request, response: Response, book_id: int) -> dict[str, Any]:
    if book_id not in BOOKS:
        raise NotFoundException(detail=f"No book {book_id}")
    return {"id": book_id, "title": BOOKS[book_id]}


@app.post("/books/{book_id:int}/buy")
async def buy_book(request: Request, response: Response, book_id: int) -> dict[str, Any]:
    raise OutOfStock(book_id)


@app.get("/admin")
async def admin(request: Request, response: Response) -> dict[str, Any]:
    raise Unauthorized(detail="Log in first", headers={"WWW-Authenticate": 'Bearer realm="api"'})


@app.get("/teapot")
async def teapot(request: Request, response: Response) -> dict[str, Any]:
    raise HTTPException(418, detail={"reason": "short and stout"})


@app.get("/crash")
async def crash(request: Request, response: Response) -> dict[str, Any]:
    raise RuntimeError("database password is hunter2")  # must never reach the client


# --- Exception handlers: (request, response, exc) ------------------------------------------------
@app.exception_handler(OutOfStock)
async def out_of_stock(request: Request, response: Response, exc: OutOfStock) -> Response:
    return response.json({"detail": str(exc), "book_id": exc.book_id}, status_code=409)


async def not_found_page(request: Request, response: Response, exc: HTTPException) -> Response:
    if request.accepts_html:
        return response.html(f"<h1>Nothing at {html.escape(request.path)}</h1>", status_code=404)
    return response.json({"detail": exc.detail, "path": request.path}, status_code=404)


app.add_exception_handler(404, not_found_page)  # also catches the router's own 404s


# --- Reshaping validation errors (422) -----------------------------------------------------------
@app.get("/search")
async def search(request: Request, response: Response, limit: int = 10) -> dict[str, Any]:
    return {"limit": limit}


@app.exception_handler(422)
async def invalid_input(request: Request, response: Response, exc: HTTPException) -> Response:
    return response.json({"message": "Invalid input", "errors": exc.detail}, status_code=422)
