"""The Nexios quick start: the app the README's demo command serves on port 8000.

    curl localhost:8000/users/42
    curl -X POST localhost:8000/api/data -H 'content-type: application/json' -d '{"a": 1}'
    curl localhost:8000/api/users/

Its API documentation is at http://localhost:8000/docs (Swagger UI) and /redoc, generated from
the routes below; the document itself is /openapi.json.
"""

from __future__ import annotations

import time
from typing import Any

from nexios import Router, get_application
from nexios.exceptions import NotFoundException
from nexios.http import Request, Response
from nexios.http.response import HTMLResponse

app = get_application(title="Nexios quick start")

USERS = {1: "Ada Lovelace", 2: "Alan Turing", 42: "John Doe"}


@app.get("/", responses={200: HTMLResponse})
async def index(request: Request, response: Response) -> Response:
    return response.html(
        "<h1>Nexios</h1><p>Try <a href='/users/42'>/users/42</a> or "
        "<a href='/api/users/'>/api/users/</a>, or read the API's documentation at "
        "<a href='/docs'>/docs</a>.</p>"
    )


@app.get("/users/{user_id:int}", responses={404: "No user has this id"})
async def get_user(request: Request, response: Response, user_id: int) -> dict[str, object]:
    """One user, with a link to itself."""
    if user_id not in USERS:
        raise NotFoundException(detail=f"No user {user_id}")
    return {"user_id": user_id, "name": USERS[user_id], "links": {"self": f"/users/{user_id}"}}


@app.post("/api/data", request_model=Any)
async def create(request: Request, response: Response) -> dict[str, object]:
    """Echo the JSON sent (any JSON value: the handler reads it itself)."""
    data = await request.json  # an awaitable property
    return {"status": "success", "data": data}


@app.middleware
async def timing(request: Request, response: Response, next_handler):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = await next_handler()
    response.set_header("x-process-time", f"{(time.perf_counter() - started) * 1000:.3f}ms")
    return response


users = Router(prefix="/api/users", tags=["users"])


@users.get("/")
async def list_users(request: Request, response: Response) -> list[dict[str, object]]:
    return [{"user_id": uid, "name": name} for uid, name in USERS.items()]


@users.get("/{user_id:int}", name="user_detail")
async def user_detail(request: Request, response: Response, user_id: int) -> dict[str, object]:
    return await get_user(request, response, user_id)


app.mount_router(users)


@app.websocket("/chat")
async def chat(ws):  # type: ignore[no-untyped-def]
    await ws.accept()
    async for message in ws.iter_text():
        await ws.send_text(f"Echo: {message}")
