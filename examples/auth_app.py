"""Authentication, sessions and CSRF in one small app.

    uvicorn --app-dir examples auth_app:app

- ``/login`` — a login form (users below, no sign-up), CSRF-protected; logging in rotates the
  session id. ``/`` is a protected page; anonymous browsers are sent to ``/login``.
- ``/notes`` — a CSRF-protected form that only logged-in users may post.
- ``/api/token`` — ``POST {"username": ..., "password": ...}`` returns a JWT;
  ``/api/me`` and ``/api/admin`` accept that token only (``/api/admin`` needs the ``admin`` scope).

    curl -s localhost:8000/api/token -d '{"username":"grace","password":"hopper"}' \\
         -H 'content-type: application/json'
    curl -s localhost:8000/api/me -H "authorization: Bearer <token>"

The API is exempt from CSRF because it authenticates with a bearer token only (``@auth(["jwt"])``):
a browser never attaches that token by itself, so a cross-site page cannot forge its requests.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
from typing import Any

from nexios import get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth, login, logout
from nexios.auth.backends.jwt import JWTAuthBackend, create_jwt
from nexios.auth.backends.session import SessionAuthBackend
from nexios.http import Request, Response
from nexios.middleware.csrf import CSRFMiddleware, csrf_input
from nexios.session.middleware import SessionMiddleware

SECRET_KEY = os.environ.get("NEXIOS_SECRET_KEY", "dev-only-secret-change-me-in-production-please")


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)


# The fixed user table: id -> (user, salt, password hash). Plain-text passwords appear only here,
# for the demo; a real app stores the hashes alone.
_SALT = b"auth-app-demo-salt"
USERS: dict[int, tuple[SimpleUser, bytes]] = {
    1: (SimpleUser("ada", ["notes"], id=1, display_name="Ada Lovelace"), _hash("lovelace", _SALT)),
    2: (SimpleUser("grace", ["notes", "admin"], id=2, display_name="Grace Hopper"), _hash("hopper", _SALT)),
}


def load_user(user_id: Any) -> SimpleUser | None:
    """The session backend's ``user_loader``: the id that ``login`` stored, back to a user."""
    entry = USERS.get(user_id) if isinstance(user_id, int) else None
    return entry[0] if entry else None


def check_password(username: str, password: str) -> SimpleUser | None:
    """The user with these credentials, or ``None`` (same work whether or not the name exists)."""
    found = None
    attempt = _hash(password, _SALT)
    for user, stored in USERS.values():
        if hmac.compare_digest(attempt, stored) and user.username == username:
            found = user
    return found


app = get_application(config={"secret_key": SECRET_KEY}, title="Nexios auth example")
# Order matters: the session must exist before authentication reads it.
app.add_middleware(SessionMiddleware())
app.add_middleware(CSRFMiddleware(exempt_paths=["/api/*"]))
app.add_middleware(AuthenticationMiddleware(backends=[
    SessionAuthBackend(load_user),
    JWTAuthBackend(algorithms=["HS256"]),  # signs and verifies with config.secret_key
]))
NOTES: list[tuple[str, str]] = []


def page(title: str, body: str) -> str:
    return f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}"


@app.exception_handler(401)
async def login_redirect(request: Request, response: Response, exc: Any) -> Any:
    # Browsers go to the login page; API clients keep the 401 and its WWW-Authenticate header.
    if request.accepts_html:
        return response.redirect("/login", status_code=303)
    return response.json({"detail": exc.detail}, status_code=401, headers=exc.headers)


@app.get("/login")
async def login_form(request: Request, response: Response) -> Response:
    return response.html(page("Log in", (
        f"<form method='post' action='/login'>{csrf_input(request)}"
        "<input name='username' placeholder='username'> "
        "<input name='password' type='password' placeholder='password'> "
        "<button>Log in</button></form>"
    )))


@app.post("/login")
async def do_login(request: Request, response: Response) -> Response:
    form = await request.form
    user = check_password(str(form.get("username", "")), str(form.get("password", "")))
    if user is None:
        return response.html(page("Log in", "<p>Wrong username or password.</p>"), status_code=401)
    await login(request, user)  # new session id: a planted one is worthless now
    return response.redirect("/", status_code=303)


@app.post("/logout")
async def do_logout(request: Request, response: Response) -> Response:
    await logout(request)
    return response.redirect("/login", status_code=303)


@app.get("/")
@auth(["session"])
async def home(request: Request, response: Response) -> Response:
    notes = "".join(
        f"<li>{html.escape(author)}: {html.escape(text)}</li>" for author, text in NOTES
    )
    return response.html(page(f"Hello, {request.user.display_name}", (
        f"<ul>{notes}</ul>"
        f"<form method='post' action='/notes'>{csrf_input(request)}"
        "<input name='text' placeholder='a note'> <button>Add</button></form>"
        f"<form method='post' action='/logout'>{csrf_input(request)}<button>Log out</button></form>"
    )))


@app.post("/notes")
@auth(["session"], scopes=["notes"])
async def add_note(request: Request, response: Response) -> Response:
    text = str((await request.form).get("text", "")).strip()[:500]
    if text:
        NOTES.append((request.user.display_name, text))
    return response.redirect("/", status_code=303)


@app.post("/api/token")
async def issue_token(request: Request, response: Response) -> Any:
    data = await request.json
    if not isinstance(data, dict):
        return response.json({"detail": "Send {\"username\": ..., \"password\": ...}"}, status_code=400)
    user = check_password(str(data.get("username", "")), str(data.get("password", "")))
    if user is None:
        return response.json({"detail": "Wrong username or password"}, status_code=401,
                             headers={"WWW-Authenticate": "Bearer"})
    token = create_jwt({"sub": user.username, "scope": " ".join(sorted(user.scopes))}, SECRET_KEY,
                       expires_in=900)
    return {"access_token": token, "token_type": "bearer", "expires_in": 900}


@app.get("/api/me")
@auth(["jwt"])
async def api_me(request: Request, response: Response) -> dict[str, Any]:
    return {"username": request.user.username, "scopes": sorted(request.auth.scopes)}


@app.get("/api/admin")
@auth(["jwt"], scopes=["admin"])
async def api_admin(request: Request, response: Response) -> dict[str, Any]:
    return {"notes": len(NOTES)}
