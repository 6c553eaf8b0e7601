"""The baseline: the benchmark endpoints as a hand-written ASGI 3 app, no framework.

It does the same honest work a framework must do for these endpoints, no less and no more: route
on method and path, convert the ``{id:int}`` segment, parse the query string, read and decode the
JSON body with the standard library, encode JSON with the standard library, and send
content-type and content-length. Throughput of the Nexios app is reported as a ratio to this one.

Serve it with ``uvicorn --app-dir bench raw_app:app``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[[Scope, Receive], Awaitable[tuple[int, bytes, bytes]]]

TEXT = b"text/plain; charset=utf-8"
JSON = b"application/json"
MAX_BODY_BYTES = 1024 * 1024  # a framework refuses big bodies before buffering; so does this
USERS_PREFIX = "/users/"

# One encoder built once, as a framework would, instead of json.dumps building one per call.
_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(status: int, data: Any) -> tuple[int, bytes, bytes]:
    return status, JSON, _encoder.encode(data).encode("utf-8")


async def plaintext(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    return 200, TEXT, b"Hello, World!"


async def json_message(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    return _json(200, {"message": "Hello, World!"})


async def user(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    return _json(200, {"user_id": scope["path_params"]["id"], "name": "John Doe"})


async def echo(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return _json(400, {"detail": "Client disconnected"})
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return _json(413, {"detail": "Request body too large"})
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        return _json(400, {"detail": "Invalid JSON body"})
    return _json(200, data)


async def query(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    try:
        limit = int(params["limit"])
        offset = int(params["offset"])
    except (KeyError, ValueError):
        return _json(400, {"detail": "limit and offset must be integers"})
    return _json(200, {"limit": limit, "offset": offset})


async def typed_query(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    """What `limit: int = Query(10, ge=1, le=100), offset: int = Query(0, ge=0)` must do by hand."""
    params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    errors = []
    values = {}
    for name, default, low, high in (("limit", 10, 1, 100), ("offset", 0, 0, None)):
        raw = params.get(name)
        if raw is None:
            values[name] = default
            continue
        try:
            value = int(raw)
        except ValueError:
            errors.append({"loc": ["query", name], "msg": "Input should be a valid integer"})
            continue
        if value < low or (high is not None and value > high):
            errors.append({"loc": ["query", name], "msg": "Input is out of range"})
            continue
        values[name] = value
    if errors:
        return _json(422, {"detail": errors})
    return _json(200, values)


async def get_db() -> str:
    """Stands in for a dependency (a connection) that another dependency needs."""
    return "ok"


async def get_current_user(db: str) -> str:
    """Stands in for a dependency built from another dependency."""
    return "u1"


async def dependencies(scope: Scope, receive: Receive) -> tuple[int, bytes, bytes]:
    db = await get_db()
    current_user = await get_current_user(db)
    return _json(200, {"db": db, "user": current_user})


STATIC_ROUTES: dict[str, dict[str, Handler]] = {
    "/plaintext": {"GET": plaintext},
    "/json": {"GET": json_message},
    "/echo": {"POST": echo},
    "/mw/plaintext": {"GET": plaintext},
    "/query": {"GET": query},
    "/typed-query": {"GET": typed_query},
    "/di": {"GET": dependencies},
}


def _resolve(scope: Scope) -> dict[str, Handler] | None:
    """Find the handlers for a path: static paths by dict lookup, then the one dynamic route."""
    path: str = scope["path"]
    methods = STATIC_ROUTES.get(path)
    if methods is not None:
        return methods
    if path.startswith(USERS_PREFIX):
        segment = path[len(USERS_PREFIX) :]
        if segment and segment.isascii() and segment.isdigit():
            scope["path_params"] = {"id": int(segment)}
            return {"GET": user}
    return None


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI entry point."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    methods = _resolve(scope)
    headers: list[tuple[bytes, bytes]] = []
    if methods is None:
        status, content_type, body = _json(404, {"detail": "Not Found"})
    else:
        handler = methods.get(scope["method"])
        if handler is None:
            status, content_type, body = _json(405, {"detail": "Method Not Allowed"})
            headers.append((b"allow", ", ".join(methods).encode("latin-1")))
        else:
            status, content_type, body = await handler(scope, receive)
    headers.append((b"content-type", content_type))
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
