"""The app the event-loop stall test serves from a child uvicorn process: CSRF and sessions
(which parse cookies and forms before any route runs), a JSON route, a typed body, a text route,
a WebSocket reading JSON, and a health check."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from nexios import get_application
from nexios.http import Request, Response
from nexios.middleware.csrf import CSRFMiddleware
from nexios.session.middleware import SessionMiddleware
from nexios.websockets import WebSocket

app = get_application(config={"secret_key": "stall-test-secret-key-of-enough-length"})
app.add_middleware(SessionMiddleware())
app.add_middleware(CSRFMiddleware(exempt_paths=["/json", "/typed", "/text"]))


class Item(BaseModel):
    name: str


@app.get("/health")
async def health(request: Request, response: Response) -> dict[str, str]:
    return {"status": "ok"}


@app.post("/json")
async def json_body(request: Request, response: Response) -> Any:
    return await request.json


@app.post("/typed")
async def typed(request: Request, response: Response, item: Item) -> Any:
    return item


@app.post("/text")
async def text(request: Request, response: Response) -> Any:
    return {"size": len(await request.text)}


@app.websocket("/ws")
async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.receive_json()
