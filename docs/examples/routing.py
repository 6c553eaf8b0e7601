"""Routes, path parameters, routers, groups and mounts (docs/routing.md)."""

from __future__ import annotations

import uuid
from typing import Any

from nexios import Group, Router, Routes, get_application
from nexios.http import Request, Response
from nexios.routing import register_converter

app = get_application()


# --- Routes and path parameters ------------------------------------------------------------------
@app.get("/items")
async def list_items(request: Request, response: Response) -> dict[str, Any]:
    return {"items": ["apple", "pear"]}


@app.post("/items")
async def create_item(request: Request, response: Response) -> Response:
    return response.status(201).json(await request.json)


@app.get("/items/{item_id:int}", name="item_detail")
async def read_item(request: Request, response: Response, item_id: int) -> dict[str, Any]:
    return {"item_id": item_id, "self": request.app.url_for("item_detail", item_id=item_id)}


@app.get("/users/me")
async def read_current_user(request: Request, response: Response) -> dict[str, str]:
    return {"user": "the current user"}


@app.get("/users/{username}")
async def read_user(request: Request, response: Response, username: str) -> dict[str, str]:
    return {"user": username}


@app.get("/orders/{order_id:uuid}")
async def read_order(request: Request, response: Response, order_id: uuid.UUID) -> dict[str, str]:
    return {"order_id": str(order_id), "type": type(order_id).__name__}


@app.get("/files/{file_path:path}")
async def read_file(request: Request, response: Response, file_path: str) -> dict[str, str]:
    return {"file_path": file_path}


@app.get("/pages/{number}")
async def read_page(request: Request, response: Response, number: int) -> dict[str, int]:
    return {"number": number}  # no converter: "abc" is a 422, not a 404


@app.route("/ping", methods=["GET", "POST"])
async def ping(request: Request, response: Response) -> dict[str, str]:
    return {"method": request.method}


# --- Trailing slashes ----------------------------------------------------------------------------
@app.get("/reports/")
async def reports(request: Request, response: Response) -> dict[str, str]:
    return {"route": "/reports/"}


# --- A custom converter --------------------------------------------------------------------------
class CountryCodeConverter:
    """``{name:country}``: a two-letter country code in capitals (``FR``)."""

    regex = "[A-Z]{2}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_converter("country", CountryCodeConverter())


@app.get("/countries/{code:country}", name="country")
async def read_country(request: Request, response: Response, code: str) -> dict[str, str]:
    return {"code": code}


# --- Routers -------------------------------------------------------------------------------------
users = Router(prefix="/api/users", tags=["users"])


@users.get("/")
async def api_list_users(request: Request, response: Response) -> list[str]:
    return ["ada", "alan"]


@users.get("/{user_id:int}", name="user")
async def api_read_user(request: Request, response: Response, user_id: int) -> dict[str, int]:
    return {"user_id": user_id}


app.mount_router(users)


# --- Route tables, list style, and groups --------------------------------------------------------
async def health(request: Request, response: Response) -> dict[str, str]:
    return {"status": "ok"}


async def version(request: Request, response: Response) -> dict[str, str]:
    return {"version": "1.0"}


app.mount_router(Group("/meta", routes=[
    Routes("/health", health),
    Routes("/version", version, methods=["GET"], name="version"),
]))


# --- Mounting any ASGI app -----------------------------------------------------------------------
async def legacy_app(scope: Any, receive: Any, send: Any) -> None:
    """A plain ASGI app: it sees root_path="/legacy" and the full path, as ASGI says."""
    body = f"legacy app: root_path={scope['root_path']} path={scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


app.register(legacy_app, prefix="/legacy")
