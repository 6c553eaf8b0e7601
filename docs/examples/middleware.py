"""Middleware: functions, classes, raw ASGI, router- and route-level, and the order they run in
(docs/middleware.md)."""

from __future__ import annotations

import time
from typing import Any

from nexios import Router, get_application
from nexios.http import Request, Response
from nexios.middleware import BaseMiddleware, GZipMiddleware, SecurityMiddleware
from nexios.types import Receive, Scope, Send

app = get_application()
calls: list[str] = []  # what ran, in order, for the last request (read by the tests)


# --- A function middleware: (request, response, call_next) ---------------------------------------
@app.middleware
async def timing(request: Request, response: Response, call_next: Any) -> Any:
    calls.clear()
    calls.append("timing: before")
    started = time.perf_counter()
    outgoing = await call_next()          # runs everything inside; returns the response to send
    outgoing.set_header("x-process-time", f"{(time.perf_counter() - started) * 1000:.2f}ms")
    calls.append("timing: after")
    return outgoing


async def require_api_key(request: Request, response: Response, call_next: Any) -> Any:
    if request.headers.get("x-api-key") != "secret":
        calls.append("api key: refused")
        return response.json({"detail": "Missing or wrong API key"}, status_code=401)
    calls.append("api key: ok")
    return await call_next()


# --- A class middleware: process_request / process_response --------------------------------------
class RequestTagger(BaseMiddleware):
    async def process_request(self, request: Request, response: Response, call_next: Any) -> Any:
        calls.append("tagger: process_request")
        request.state.tag = "tagged"
        return None                       # None: carry on to the handler

    async def process_response(self, request: Request, response: Any) -> Any:
        calls.append("tagger: process_response")
        response.set_header("x-tag", request.state.tag)
        return None                       # None: send the response as it is


app.add_middleware(RequestTagger())


# --- A raw ASGI middleware: a class taking the app first -----------------------------------------
class ServerHeader:
    def __init__(self, app: Any, value: str = "nexios") -> None:
        self.app = app
        self.value = value.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message["type"] == "http.response.start":
                calls.append("asgi: response start")
                message["headers"] = [*message["headers"], (b"server", self.value)]
            await send(message)

        await self.app(scope, receive, send_with_header)


app.add_middleware(ServerHeader, value="docs-example")


# --- Bundled middleware (ASGI too) ---------------------------------------------------------------
app.add_middleware(GZipMiddleware(minimum_size=200))
app.add_middleware(SecurityMiddleware())


# --- Router- and route-level middleware ----------------------------------------------------------
async def router_note(request: Request, response: Response, call_next: Any) -> Any:
    calls.append("router middleware")
    return await call_next()


async def route_note(request: Request, response: Response, call_next: Any) -> Any:
    calls.append("route middleware")
    return await call_next()


api = Router(prefix="/api", middleware=[require_api_key, router_note])


@api.get("/report", middleware=[route_note])
async def report(request: Request, response: Response) -> dict[str, Any]:
    calls.append("handler")
    return {"tag": request.state.tag, "rows": ["row"] * 50}


app.mount_router(api)


@app.get("/public")
async def public(request: Request, response: Response) -> dict[str, str]:
    calls.append("handler")
    return {"hello": "world"}
