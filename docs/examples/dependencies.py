"""Dependency injection and typed request inputs (docs/dependencies.md)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel, Field

from nexios import Context, Depend, Router, get_application
from nexios.datastructures import UploadFile
from nexios.dependencies import Body, Cookie, File, Form, Header, Path, Query
from nexios.exceptions import Forbidden, HTTPException
from nexios.http import Request, Response

log: list[str] = []  # what the dependencies did, in order (read by the tests)


# --- Plain dependencies --------------------------------------------------------------------------
async def current_user(x_user: str | None = Header(None)) -> str:
    return x_user or "anonymous"


def pagination(page: int = 1, size: int = Query(20, ge=1, le=100)) -> dict[str, int]:
    return {"page": page, "size": size}   # sync: runs inline on the event loop


def quick_lookup() -> str:
    return threading.current_thread().name   # sync, not blocking: the event loop's thread


def slow_file_read() -> str:
    return threading.current_thread().name   # blocking=True below: a worker thread


# --- A generator dependency: set up, yield the value, clean up -----------------------------------
class Session:
    def __init__(self) -> None:
        self.committed = False


async def db_session() -> AsyncIterator[Session]:
    session = Session()
    log.append("session: opened")
    try:
        yield session
        session.committed = True
        log.append("session: committed")
    except Exception as exc:               # the handler's error is thrown in here first
        log.append(f"session: rolled back ({type(exc).__name__})")
        raise
    finally:
        log.append("session: closed")


# --- A class as a dependency, and dependencies of dependencies -----------------------------------
class Auditor:
    def __init__(self, user: str = Depend(current_user)) -> None:
        self.user = user

    def note(self, action: str) -> None:
        log.append(f"audit: {self.user} {action}")


# --- An app-scoped dependency: created once, closed at shutdown ----------------------------------
class Catalogue:
    def __init__(self) -> None:
        self.items = {1: "pear", 2: "fig"}


async def catalogue() -> AsyncIterator[Catalogue]:
    log.append("catalogue: loaded")
    yield Catalogue()
    log.append("catalogue: released")


# --- Dependencies that only check something ------------------------------------------------------
async def require_api_key(x_api_key: str = Header()) -> None:
    if x_api_key != "secret":
        raise Forbidden(detail="Wrong API key")


app = get_application()


@app.get("/items")
async def list_items(
    request: Request,
    response: Response,
    paging: dict[str, int] = Depend(pagination),
    user: str = Depend(current_user),
) -> dict[str, Any]:
    return {"paging": paging, "user": user}


@app.get("/threads")
async def threads(request: Request, response: Response,
                  inline: str = Depend(quick_lookup),
                  in_worker: str = Depend(slow_file_read, blocking=True)) -> dict[str, str]:
    return {"handler": threading.current_thread().name, "inline": inline, "blocking": in_worker}


@app.post("/orders")
async def place_order(
    request: Request,
    response: Response,
    session: Session = Depend(db_session),
    auditor: Auditor = Depend(),          # no callable: the annotation (a class) is used
) -> dict[str, Any]:
    auditor.note("placed an order")
    log.append("handler: done")
    return {"committed_yet": session.committed}  # False: the commit happens after the response


@app.post("/orders/fail")
async def failing_order(request: Request, response: Response,
                        session: Session = Depend(db_session)) -> dict[str, Any]:
    raise HTTPException(409, detail="Out of stock")


@app.get("/catalogue/{item_id:int}")
async def catalogue_item(request: Request, response: Response, item_id: int,
                         items: Catalogue = Depend(catalogue, scope="app")) -> dict[str, Any]:
    return {"item": items.items.get(item_id), "instance": id(items)}


# --- Typed request inputs ------------------------------------------------------------------------
class Product(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)
    tags: list[str] = []


@app.post("/products")
async def create_product(request: Request, response: Response, product: Product) -> Response:
    return response.status(201).json(product)  # the JSON body, validated


@app.put("/products/{product_id:int}")
async def update_product(
    request: Request,
    response: Response,
    product_id: int,                                       # from the path
    product: Product,                                      # several body params: one key each
    note: str = Body(max_length=100),
    dry_run: bool = False,                                 # plain parameter: the query string
    session_id: str | None = Cookie(None),
    user_agent: str = Header("unknown"),                   # reads User-Agent
) -> dict[str, Any]:
    return {"id": product_id, "product": product, "note": note, "dry_run": dry_run,
            "session_id": session_id, "user_agent": user_agent}


@app.get("/reviews/{review_id}")
async def read_review(request: Request, response: Response,
                      review_id: int = Path(ge=1)) -> dict[str, int]:
    return {"review_id": review_id}


@app.get("/search")
async def search(request: Request, response: Response, q: str,
                 tag: list[str] = Query([]), limit: int = Query(10, le=50)) -> dict[str, Any]:
    return {"q": q, "tags": tag, "limit": limit}


@app.post("/avatars")
async def upload_avatar(request: Request, response: Response, username: str = Form(),
                        avatar: UploadFile = File()) -> dict[str, Any]:
    return {"username": username, "filename": avatar.filename, "size": len(await avatar.read())}


@app.get("/context")
async def with_context(request: Request, response: Response, ctx: Context) -> dict[str, Any]:
    return {"path": ctx.request.path, "app_is_request_app": ctx.app is request.app}


# --- Dependencies for a whole router (results unused) --------------------------------------------
admin = Router(prefix="/admin", dependencies=[Depend(require_api_key)])


@admin.get("/stats")
async def stats(request: Request, response: Response) -> dict[str, int]:
    return {"orders": 3}


app.mount_router(admin)


# --- A mistake caught at registration, not on the first request ----------------------------------
def register_ambiguous_handler() -> None:
    async def ambiguous(request: Request, response: Response, q):  # type: ignore[no-untyped-def]
        return {"q": q}                    # no annotation, no default, not in the path

    app.add_route("/ambiguous", ambiguous)  # raises DependencyError, naming `q`
