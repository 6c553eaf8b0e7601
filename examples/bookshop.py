"""A bookshop API: typed bodies, uploads, errors, auth, and the OpenAPI document they produce.

    uvicorn --app-dir examples bookshop:app

Read the documentation at http://localhost:8000/docs (Swagger UI), /redoc or /scalar; the document
is /openapi.json. Everything in it comes from the code below: parameters and bodies from the
handlers' signatures, responses from return annotations and ``responses=``, security from the
``@auth`` guards and the authentication backends.

- Anyone may list, read and review books.
- Changing the catalogue needs the ``books:write`` scope, with either an API key
  (``X-API-Key: staff-demo-key``) or a JWT from ``POST /token`` (form fields ``username`` and
  ``password``: ``clerk`` / ``shelves``).

    curl -s localhost:8000/books?limit=2
    curl -s localhost:8000/books -H 'X-API-Key: staff-demo-key' -H 'content-type: application/json' \\
         -d '{"title": "Dune", "author": "Frank Herbert", "year": 1965}'
"""

from __future__ import annotations

import hmac
import itertools
import os
from typing import Annotated

from pydantic import BaseModel, Field

from nexios import Router, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends.apikey import APIKeyAuthBackend
from nexios.auth.backends.jwt import JWTAuthBackend, create_jwt
from nexios.datastructures import UploadFile
from nexios.dependencies import File, Form, Header, Query
from nexios.exceptions import Conflict, NotFoundException, PayloadTooLarge, Unauthorized
from nexios.http import Request, Response
from nexios.openapi import Contact, License, OpenAPI, OpenAPIConfig, Tag

SECRET_KEY = os.environ.get("BOOKSHOP_SECRET_KEY", "bookshop-demo-secret-change-me-in-production")
STAFF_KEY = os.environ.get("BOOKSHOP_STAFF_KEY", "staff-demo-key")
CLERK_PASSWORD = os.environ.get("BOOKSHOP_CLERK_PASSWORD", "shelves")
MAX_COVER_BYTES = 512 * 1024

Title = Annotated[str, Field(min_length=1, max_length=200)]


class BookIn(BaseModel):
    """A book as a client sends it."""

    title: Title
    author: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1450, le=2100, description="Year of first publication")
    tags: list[str] = Field(default_factory=list, max_length=10)


class Book(BookIn):
    """A book of the catalogue."""

    id: int


class BookPage(BaseModel):
    """One page of the catalogue."""

    items: list[Book]
    total: int
    offset: int
    limit: int


class ReviewIn(BaseModel):
    """A reader's review."""

    stars: int = Field(ge=1, le=5)
    text: str = Field(default="", max_length=2000)


class Review(ReviewIn):
    """A stored review."""

    book_id: int


class Cover(BaseModel):
    """What was stored of an uploaded cover."""

    book_id: int
    filename: str
    content_type: str
    size: int
    caption: str


class Token(BaseModel):
    """A bearer token for the write operations."""

    access_token: str
    token_type: str = "bearer"


class Account(BaseModel):
    """Who the credentials belong to."""

    username: str
    scopes: list[str]


app = get_application(
    openapi=OpenAPI(
        OpenAPIConfig(
            title="Bookshop", version="2.1.0",
            description="A small catalogue of books with reviews and covers.",
            contact=Contact(name="Bookshop team", email="books@example.com"),
            license=License(name="MIT", identifier="MIT"),
            tags=[Tag(name="books", description="The catalogue"),
                  Tag(name="reviews", description="What readers think"),
                  Tag(name="account", description="Credentials")],
        ),
        scalar_url="/scalar",
    ),
)
app.add_middleware(AuthenticationMiddleware(backends=[
    JWTAuthBackend(SECRET_KEY, algorithms=["HS256"]),
    APIKeyAuthBackend(keys={STAFF_KEY: SimpleUser("staff", ["books:write"])}),
]))

# The catalogue lives in memory; each record also holds internal notes that must never be sent.
BOOKS: dict[int, dict[str, object]] = {}
REVIEWS: dict[int, list[Review]] = {}
_ids = itertools.count(1)


def _store(book: BookIn) -> Book:
    book_id = next(_ids)
    BOOKS[book_id] = {**book.model_dump(), "id": book_id, "internal_notes": "bought at auction"}
    return Book.model_validate(BOOKS[book_id])


for seed in (BookIn(title="Middlemarch", author="George Eliot", year=1871, tags=["novel"]),
             BookIn(title="The Art of Computer Programming", author="Donald Knuth", year=1968)):
    _store(seed)


def _book(book_id: int) -> dict[str, object]:
    found = BOOKS.get(book_id)
    if found is None:
        raise NotFoundException(detail=f"No book {book_id}")
    return found


books = Router(tags=["books"])


@books.get("/books")
async def list_books(
    request: Request, response: Response,
    limit: int = Query(20, ge=1, le=100, description="Books per page"),
    offset: int = Query(0, ge=0),
    author: str | None = Query(None, max_length=100, description="Only this author's books"),
) -> BookPage:
    """The catalogue, oldest first."""
    matching = [b for b in BOOKS.values() if author is None or b["author"] == author]
    return BookPage.model_validate(
        {"items": matching[offset:offset + limit], "total": len(matching), "offset": offset, "limit": limit}
    )


@books.get("/books/{book_id:int}", response_model=Book, responses={404: NotFoundException})
async def get_book(request: Request, response: Response, book_id: int) -> dict[str, object]:
    """One book. (The stored record has internal notes: the response model leaves them out.)"""
    return _book(book_id)


@books.post("/books", responses={201: "The book was added", 409: Conflict})
@auth(scopes=["books:write"])
async def add_book(request: Request, response: Response, book: BookIn) -> Book:
    """Add a book; titles are unique."""
    if any(existing["title"] == book.title for existing in BOOKS.values()):
        raise Conflict(detail=f"A book is already titled {book.title!r}")
    response.status(201)
    return _store(book)


@books.put("/books/{book_id:int}", responses={404: NotFoundException})
@auth(scopes=["books:write"])
async def replace_book(request: Request, response: Response, book_id: int, book: BookIn) -> Book:
    """Replace a book's details."""
    _book(book_id)
    BOOKS[book_id] = {**BOOKS[book_id], **book.model_dump()}
    return Book.model_validate(BOOKS[book_id])


@books.delete("/books/{book_id:int}", responses={204: "Deleted", 404: NotFoundException})
@auth(scopes=["books:write"])
async def delete_book(request: Request, response: Response, book_id: int) -> None:
    """Remove a book and its reviews."""
    _book(book_id)
    del BOOKS[book_id]
    REVIEWS.pop(book_id, None)
    response.empty(204)


@books.post("/books/{book_id:int}/cover", responses={404: NotFoundException, 413: "The cover is too large"})
@auth(scopes=["books:write"])
async def upload_cover(request: Request, response: Response, book_id: int,
                       cover: UploadFile = File(description="The image"),
                       caption: str = Form("", max_length=200)) -> Cover:
    """Upload a book's cover (multipart form)."""
    _book(book_id)
    data = await cover.read(MAX_COVER_BYTES + 1)
    if len(data) > MAX_COVER_BYTES:
        raise PayloadTooLarge(detail="The cover is too large")
    return Cover(book_id=book_id, filename=cover.filename or "cover", size=len(data),
                 content_type=cover.content_type or "application/octet-stream", caption=caption)


reviews = Router(prefix="/books/{book_id:int}", tags=["reviews"])


@reviews.get("/reviews", responses={404: NotFoundException})
async def list_reviews(request: Request, response: Response, book_id: int) -> list[Review]:
    """Every review of a book."""
    _book(book_id)
    return REVIEWS.get(book_id, [])


@reviews.post("/reviews", responses={201: "Thank you", 404: NotFoundException})
async def add_review(request: Request, response: Response, book_id: int, review: ReviewIn,
                     x_request_id: str | None = Header(None, max_length=64,
                                                       description="Echoed back, for tracing")) -> Review:
    """Review a book (anyone may)."""
    _book(book_id)
    stored = Review(book_id=book_id, **review.model_dump())
    REVIEWS.setdefault(book_id, []).append(stored)
    if x_request_id:
        response.set_header("x-request-id", x_request_id)
    response.status(201)
    return stored


account = Router(tags=["account"])


@account.post("/token", responses={401: "Wrong username or password"})
async def token(request: Request, response: Response, username: str = Form(max_length=100),
                password: str = Form(max_length=100)) -> Token:
    """Trade the clerk's username and password for a JWT with the ``books:write`` scope."""
    valid = hmac.compare_digest(username.encode(), b"clerk") & hmac.compare_digest(
        password.encode(), CLERK_PASSWORD.encode())
    if not valid:
        raise Unauthorized(detail="Wrong username or password")
    return Token(access_token=create_jwt({"sub": username, "scope": "books:write"}, SECRET_KEY))


@account.get("/me")
@auth()
async def me(request: Request, response: Response) -> Account:
    """Who the credentials (API key or token) belong to."""
    return Account(username=request.user.username, scopes=sorted(request.auth.scopes))


@app.get("/search", tags=["books"], deprecated=True, response_model=list[Book])
async def search(
    request: Request, response: Response,
    q: str = Query(min_length=2, max_length=100, description="Part of a title"),
) -> list[dict[str, object]]:
    """Books whose title contains ``q`` (use ``GET /books?author=`` instead)."""
    return [b for b in BOOKS.values() if q.lower() in str(b["title"]).lower()]


@app.get("/health", exclude_from_schema=True)
async def health(request: Request, response: Response) -> dict[str, str]:
    return {"status": "ok"}


app.mount_router(books)
app.mount_router(reviews)
app.mount_router(account)
