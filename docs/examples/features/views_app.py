"""Class-based views (docs/views.md): one class per resource, a method per HTTP verb."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from nexios import Depend, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends.apikey import APIKeyAuthBackend
from nexios.views import APIView, with_middleware


class Note(BaseModel):
    text: str


NOTES: dict[int, str] = {1: "Buy milk"}
audit_log: list[str] = []


def notes_store() -> dict[int, str]:
    return NOTES


async def audit(request: Any, response: Any, call_next: Any) -> Any:
    audit_log.append(f"{request.method} {request.url.path}")
    return await call_next()


class NoteView(APIView):
    """One note."""

    middleware = [audit]  # around every method of this view
    error_handlers = {KeyError: lambda request, response, exc: response.json({"error": "no such note"}, 404)}

    async def get(self, request: Any, response: Any, note_id: int, store: dict[int, str] = Depend(notes_store)) -> Any:
        """Read a note."""
        return {"id": note_id, "text": store[note_id]}

    async def put(self, request: Any, response: Any, note_id: int, note: Note) -> Any:
        """Replace a note."""
        NOTES[note_id] = note.text
        return {"id": note_id, "text": note.text}

    @auth(scopes=["admin"])
    @with_middleware(audit)
    def delete(self, request: Any, response: Any, note_id: int) -> Any:
        """Delete a note (administrators only)."""
        del NOTES[note_id]
        return response.empty(204)


app = get_application()
keys = {"admin-key": SimpleUser("root", ["admin"])}
app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys=keys)))
app.add_route(NoteView.as_route("/notes/{note_id:int}", tags=["notes"]))
