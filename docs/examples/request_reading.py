"""Reading the request: URL, query, headers, cookies, JSON, forms, uploads, streams
(docs/requests.md)."""

from __future__ import annotations

from typing import Any

from nexios import get_application
from nexios.datastructures import UploadFile
from nexios.exceptions import BadRequest
from nexios.http import Request, Response

app = get_application()


@app.get("/inspect/{name}")
async def inspect_request(request: Request, response: Response, name: str) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "url": str(request.url),
        "path_params": request.path_params,
        "page": request.query_params.get("page"),       # the last value if repeated
        "tags": request.query_params.getlist("tag"),     # every value
        "user_agent": request.headers.get("user-agent"),  # case-insensitive
        "theme": request.cookies.get("theme"),
        "client_ip": request.get_client_ip(),
    }


@app.get("/whoami")
async def whoami(request: Request, response: Response) -> dict[str, Any]:
    return {
        "bearer_token": request.bearer_token,
        "basic_auth": request.basic_auth,
        "accepts_json": request.accepts_json,
        "is_ajax": request.is_ajax,
        "forwarded_ip": request.get_client_ip(trusted_proxies=1),
    }


@app.post("/json")
async def read_json(request: Request, response: Response) -> dict[str, Any]:
    data = await request.json  # parsed once, cached: awaiting again costs nothing
    return {"received": data, "again": await request.json == data}


@app.post("/text")
async def read_text(request: Request, response: Response) -> dict[str, Any]:
    text = await request.text  # decoded with the charset of Content-Type (UTF-8 by default)
    return {"length": len(text), "upper": text.upper()}


@app.post("/signup")
async def signup(request: Request, response: Response) -> dict[str, Any]:
    form = await request.form  # urlencoded or multipart
    return {"email": form.get("email"), "interests": form.getlist("interest")}


@app.post("/upload")
async def upload(request: Request, response: Response) -> dict[str, Any]:
    form = await request.form
    avatar = form.get("avatar")
    if not isinstance(avatar, UploadFile):  # missing, or sent as a plain text field
        raise BadRequest(detail="Send the avatar as a file")
    content = await avatar.read()
    return {
        "caption": form.get("caption"),
        "filename": avatar.filename,
        "content_type": avatar.content_type,
        "size": len(content),
    }


@app.post("/count-bytes")
async def count_bytes(request: Request, response: Response) -> dict[str, int]:
    total = 0
    async for chunk in request.stream():  # chunks as they arrive; the body limit still applies
        total += len(chunk)
    return {"bytes": total}


@app.middleware
async def remember_start(request: Request, response: Response, call_next: Any) -> Any:
    request.state.seen_by_middleware = True  # per-request storage shared with the handler
    return await call_next()


@app.get("/state")
async def read_state(request: Request, response: Response) -> dict[str, Any]:
    return {"seen_by_middleware": request.state.get("seen_by_middleware", False)}
