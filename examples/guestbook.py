"""Guestbook: server-rendered pages with a form (CSRF, sessions, a paginated list) and a JSON API
written as class-based views, in one app.

    python3 scripts/dev.py example guestbook        # then open http://127.0.0.1:8000

- ``/``: the entries, newest first, five to a page; the form to sign (protected from CSRF; the
  session remembers your name and shows a thank-you note once).
- ``/api/entries``: the same entries as JSON (``?page=&page_size=``), and ``POST`` to sign with
  ``X-API-Key`` (``GUESTBOOK_API_KEY``, default ``demo-key``); ``/api/entries/{id}`` reads one,
  ``DELETE`` removes it. The API is documented at ``/docs``.
- ``/live``: a WebSocket that receives every new entry (events, then a channel group).

Set ``GUESTBOOK_SECRET_KEY`` in production: without it a random key is drawn at start-up, so
sessions end when the server restarts.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nexios import Depend, MakeConfig, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends.apikey import APIKeyAuthBackend
from nexios.exceptions import NotFoundException
from nexios.middleware.csrf import CSRFMiddleware
from nexios.pagination import PageNumberPagination, PageRequest, paginate
from nexios.session.middleware import SessionMiddleware
from nexios.templating import TemplateEngine
from nexios.views import APIView
from nexios.websockets import WebSocket, WebSocketConsumer
from nexios.websockets.channels import ChannelBox

app = get_application(
    title="Guestbook API",
    config=MakeConfig({"secret_key": os.environ.get("GUESTBOOK_SECRET_KEY") or secrets.token_urlsafe(32)}),
)
app.add_middleware(SessionMiddleware())
app.add_middleware(CSRFMiddleware(exempt_paths=["/api/*"]))  # the API authenticates with a key instead
api_key = os.environ.get("GUESTBOOK_API_KEY", "demo-key")
app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys={api_key: SimpleUser("api", ["sign"])})))
app.install(TemplateEngine(directory=Path(__file__).parent / "guestbook_templates"))


class NewEntry(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    message: str = Field(min_length=1, max_length=500)


entries: list[dict[str, Any]] = []  # newest first; a database table in a real app
pages = PageNumberPagination(default_page_size=5, max_page_size=50)


async def add_entry(entry: NewEntry) -> dict[str, Any]:
    stored = {"id": len(entries) + 1, "name": entry.name, "message": entry.message, "at": time.time()}
    entries.insert(0, stored)
    await app.events.emit("entry.signed", stored)
    return stored


# ---------------------------------------------------------------- pages
@app.get("/", name="home")
async def home(request: Any, response: Any) -> Any:
    return await render_home(request, response)


async def render_home(request: Any, response: Any, error: str | None = None, status_code: int = 200,
                      typed: dict[str, str] | None = None) -> Any:
    listing = paginate(request, entries, strategy=pages)  # the page ?page= and ?page_size= ask for
    return await response.render("index.html", {
        "entries": listing["items"], "page": listing["pagination"], "error": error,
        "flash": request.session.pop("flash", None),
        "name": (typed or {}).get("name") or request.session.get("name"), "message": (typed or {}).get("message"),
    }, status_code=status_code)


@app.post("/sign", name="sign")
async def sign(request: Any, response: Any) -> Any:
    form = await request.form
    typed = {"name": str(form.get("name", "")).strip(), "message": str(form.get("message", "")).strip()}
    try:
        entry = NewEntry(**typed)
    except ValueError:
        return await render_home(request, response, "A name (up to 60 characters) and a message (up to 500) please.",
                                 status_code=400, typed=typed)
    await add_entry(entry)
    request.session["name"] = entry.name
    request.session["flash"] = f"Thank you, {entry.name}!"
    return response.redirect(app.url_for("home"), status_code=303)


# ---------------------------------------------------------------- the API
class EntriesAPI(APIView):
    """The guestbook's entries."""

    async def get(self, request: Any, response: Any, page: PageRequest = Depend(pages.params)) -> Any:
        """List entries, newest first."""
        return response.paginate(entries, strategy=page)

    @auth(scopes=["sign"])
    async def post(self, request: Any, response: Any, entry: NewEntry) -> Any:
        """Sign the guestbook (needs X-API-Key)."""
        return response.json(await add_entry(entry), status_code=201)


class EntryAPI(APIView):
    """One entry."""

    def get(self, request: Any, response: Any, entry_id: int) -> Any:
        """Read an entry."""
        return find(entry_id)

    @auth(scopes=["sign"])
    def delete(self, request: Any, response: Any, entry_id: int) -> Any:
        """Remove an entry (needs X-API-Key)."""
        entries.remove(find(entry_id))
        return response.empty(204)


def find(entry_id: int) -> dict[str, Any]:
    for entry in entries:
        if entry["id"] == entry_id:
            return entry
    raise NotFoundException(detail=f"No entry {entry_id}")


app.add_route(EntriesAPI.as_route("/api/entries", tags=["entries"]))
app.add_route(EntryAPI.as_route("/api/entries/{entry_id:int}", tags=["entries"]))


# ---------------------------------------------------------------- live updates
class LiveFeed(WebSocketConsumer):
    encoding = "json"

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await self.join_group("guestbook")
        await websocket.send_json({"hello": websocket.session.get("name") or "guest"})


app.add_ws_route(LiveFeed.as_route("/live"))


@app.events.on("entry.signed")
async def tell_live_readers(entry: dict[str, Any]) -> None:
    await ChannelBox.group_send("guestbook", {"signed": entry})
