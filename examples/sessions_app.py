"""Sessions in a small app: a visit counter, a cart, and a login that rotates the session id.

    NEXIOS_SECRET_KEY=change-me uvicorn --app-dir examples sessions_app:app

    curl -c jar -b jar localhost:8000/                   # visit counter
    curl -c jar -b jar localhost:8000/cart -H 'content-type: application/json' -d '{"item": "book"}'
    curl -c jar -b jar localhost:8000/login -H 'content-type: application/json' -d '{"user": "ada"}'
    curl -c jar -b jar -X POST localhost:8000/logout

Set ``NEXIOS_SESSION_BACKEND=file`` (sessions under ``./sessions``) or ``=redis`` with
``REDIS_URL`` to keep the data on the server instead of in the signed cookie.
"""

from __future__ import annotations

import os
from typing import Any

from nexios import MakeConfig, get_application
from nexios.exceptions import BadRequest
from nexios.http import Request, Response
from nexios.session.middleware import SessionMiddleware


def _session_settings() -> dict[str, Any]:
    backend = os.environ.get("NEXIOS_SESSION_BACKEND", "signed_cookie")
    if backend == "redis":
        return {"backend": "redis", "backend_options": {"url": os.environ["REDIS_URL"]}}
    if backend == "file":
        return {"backend": "file", "backend_options": {"directory": "sessions"}}
    return {"backend": backend}


app = get_application(
    title="Nexios sessions",
    config=MakeConfig({
        # A fixed development key keeps the example runnable; production reads its own.
        "secret_key": os.environ.get("NEXIOS_SECRET_KEY", "dev-only-secret-change-me"),
        "session": {"max_age": 3600, **_session_settings()},
    }),
)
app.add_middleware(SessionMiddleware())


@app.get("/")
async def visits(request: Request, response: Response) -> dict[str, Any]:
    count = request.session.get("visits", 0) + 1
    request.session["visits"] = count
    return {"visits": count, "user": request.session.get("user")}


@app.post("/cart")
async def add_to_cart(request: Request, response: Response) -> dict[str, Any]:
    item = (await request.json).get("item")
    if not isinstance(item, str) or not item:
        raise BadRequest(detail='Send {"item": "..."}')
    cart = [*request.session.get("cart", []), item]
    request.session["cart"] = cart  # assign the new list: in-place changes are not tracked
    return {"cart": cart}


@app.post("/login")
async def login(request: Request, response: Response) -> dict[str, Any]:
    user = (await request.json).get("user")
    if not isinstance(user, str) or not user:
        raise BadRequest(detail='Send {"user": "..."}')
    # A new session id at login: a session id planted before login is worthless afterwards.
    request.session.regenerate()
    request.session["user"] = user
    return {"user": user}


@app.post("/logout")
async def logout(request: Request, response: Response) -> dict[str, Any]:
    request.session.clear()
    return {"user": None}
