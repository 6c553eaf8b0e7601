"""The first Nexios app (docs/getting-started.md).

Serve it from the repository root with either of:

    nexios run docs/examples/getting_started.py:app
    uvicorn getting_started:app --app-dir docs/examples
"""

from __future__ import annotations

from typing import Any

from nexios import get_application
from nexios.http import Request, Response

app = get_application(title="Getting started")


@app.get("/")
async def index(request: Request, response: Response) -> dict[str, str]:
    return {"message": "Hello, Nexios"}


@app.get("/hello/{name}")
async def hello(request: Request, response: Response, name: str) -> Response:
    return response.text(f"Hello, {name}!")


@app.get("/items/{item_id:int}")
async def read_item(request: Request, response: Response, item_id: int) -> dict[str, Any]:
    return {"item_id": item_id, "type": type(item_id).__name__}


@app.post("/echo")
async def echo(request: Request, response: Response) -> Response:
    data = await request.json
    return response.status(201).json({"you_sent": data})
