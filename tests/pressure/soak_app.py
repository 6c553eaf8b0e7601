"""The app the soak test serves from a child uvicorn process: a mix of the things real apps do.

Each endpoint echoes something unique to its request (a path value, a token, a digest of the
upload) so that the client can tell whether an answer belongs to another request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from nexios import get_application
from nexios.config import MakeConfig
from nexios.session.middleware import SessionMiddleware
from nexios_core.exceptions import WebSocketDisconnect
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_core.websocket import WebSocket

app = get_application(config=MakeConfig({"secret_key": "soak-test-secret-not-for-production"}))
app.add_middleware(SessionMiddleware())


@app.middleware
async def request_token_header(request: Request, response: Response, call_next: Any) -> Any:
    # Function middleware on every request, as most apps have one.
    outgoing = await call_next()
    outgoing.headers["x-echo-token"] = request.headers.get("x-token", "")
    return outgoing


@app.get("/items/{item_id:int}")
async def read_item(request: Request, response: Response, item_id: int) -> Any:
    return {"item_id": item_id, "token": request.query_params.get("token")}


@app.post("/json")
async def echo_json(request: Request, response: Response) -> Any:
    data = await request.json
    return {"echo": data}


@app.post("/upload")
async def upload(request: Request, response: Response) -> Any:
    form = await request.form
    upload = form["file"]
    content = await upload.read()  # type: ignore[union-attr]
    return {"token": form["token"], "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


@app.get("/session")
async def count_visits(request: Request, response: Response) -> Any:
    session = request.session
    session["visits"] = session.get("visits", 0) + 1
    if "owner" not in session:
        session["owner"] = request.query_params.get("owner")
    return {"visits": session["visits"], "owner": session["owner"]}


@app.websocket("/ws")
async def echo_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text("echo:" + await websocket.receive_text())
    except WebSocketDisconnect:
        pass
