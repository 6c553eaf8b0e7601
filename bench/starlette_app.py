"""The benchmark endpoints in Starlette, as a reference point (``--with-starlette``).

Written the way a Starlette user would: ``Route`` lists, a ``Mount`` with five pass-through
function middlewares (``BaseHTTPMiddleware`` with a dispatch function, Starlette's
function-middleware style), and a JSON 404 handler so ``/missing`` answers like the other apps.
``/di`` calls its two dependencies by hand, since Starlette has no dependency injection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

UNSUPPORTED_ENDPOINTS: dict[str, str] = {}


async def plaintext(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def json_message(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!"})


async def user(request: Request) -> Response:
    return JSONResponse({"user_id": request.path_params["user_id"], "name": "John Doe"})


async def echo(request: Request) -> Response:
    return JSONResponse(await request.json())


async def query(request: Request) -> Response:
    limit = int(request.query_params["limit"])
    offset = int(request.query_params["offset"])
    return JSONResponse({"limit": limit, "offset": offset})


async def get_db() -> str:
    return "ok"


async def get_current_user(db: str) -> str:
    return "u1"


async def dependencies(request: Request) -> Response:
    db = await get_db()
    current_user = await get_current_user(db)
    return JSONResponse({"db": db, "user": current_user})


async def pass_through(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    return await call_next(request)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


app = Starlette(
    routes=[
        Route("/plaintext", plaintext),
        Route("/json", json_message),
        Route("/users/{user_id:int}", user),
        Route("/echo", echo, methods=["POST"]),
        Route("/query", query),
        Route("/typed-query", query),
        Route("/di", dependencies),
        Mount(
            "/mw",
            routes=[Route("/plaintext", plaintext)],
            middleware=[Middleware(BaseHTTPMiddleware, dispatch=pass_through) for _ in range(5)],
        ),
    ],
    exception_handlers={HTTPException: http_error},
)
