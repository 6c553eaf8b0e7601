"""Class-based views (``nexios.views``): one route per verb with the method's own inputs, guards
and middleware, 405/OPTIONS/HEAD from the router, a fresh instance per request, error handlers,
sync methods, and the OpenAPI document."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pydantic import BaseModel

from nexios import Depend, get_application
from nexios.auth import AuthenticationMiddleware, auth
from nexios.testclient import TestClient
from nexios.views import APIHandler, APIView, with_middleware
from nexios_core import ImproperlyConfigured


class Note(BaseModel):
    text: str


NOTES: dict[int, str] = {}


def store() -> dict[int, str]:
    return NOTES


class Header:
    name = "header"

    async def authenticate(self, request: Any) -> Any:
        name = request.headers.get("x-user")
        return (_User(name), ["admin"] if name == "root" else []) if name else None


class _User:
    is_authenticated = True

    def __init__(self, name: str) -> None:
        self.display_name = name


def tag(label: str, calls: list[str]) -> Any:
    async def middleware(request: Any, response: Any, call_next: Any) -> Any:
        calls.append(label)
        outgoing = await call_next()
        outgoing.headers.append("x-layers", label)
        return outgoing

    return middleware


def build(calls: list[str]) -> Any:
    class Notes(APIView):
        """Notes by id."""

        middleware = [tag("class", calls)]
        error_handlers = {KeyError: lambda request, response, exc: response.json({"missing": exc.args[0]}, 404)}

        def __init__(self) -> None:
            self.seen: list[int] = []  # per request: a fresh instance serves each one

        async def get(self, request: Any, response: Any, note_id: int, notes: dict[int, str] = Depend(store)) -> Any:
            """Read a note."""
            self.seen.append(note_id)
            return {"id": note_id, "text": notes[note_id], "seen": self.seen}

        @with_middleware(tag("method", calls))
        async def put(self, request: Any, response: Any, note_id: int, note: Note, upper: bool = False) -> Any:
            """Replace a note."""
            NOTES[note_id] = note.text.upper() if upper else note.text
            return response.status(201).json({"id": note_id, "text": NOTES[note_id]})

        @auth(scopes=["admin"])
        def delete(self, request: Any, response: Any, note_id: int) -> Any:
            """Delete a note (admins)."""
            NOTES.pop(note_id)
            return {"deleted": note_id, "worker_thread": threading.current_thread() is not threading.main_thread()}

    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=Header()))
    app.add_route(Notes.as_route("/notes/{note_id:int}", tags=["notes"]))
    return app, Notes


@pytest.fixture
def client() -> Any:
    NOTES.clear()
    NOTES[1] = "first"
    calls: list[str] = []
    app, _ = build(calls)
    with TestClient(app) as http:
        http.calls = calls  # type: ignore[attr-defined]
        yield http


def test_each_verb_is_a_handler_with_its_own_inputs(client: Any) -> None:
    assert client.get("/notes/1").json() == {"id": 1, "text": "first", "seen": [1]}
    assert client.get("/notes/1").json()["seen"] == [1]  # a new instance for each request
    created = client.put("/notes/2?upper=true", json={"text": "second"})
    assert (created.status_code, created.json()) == (201, {"id": 2, "text": "SECOND"})
    invalid = client.put("/notes/2?upper=maybe", json={"text": 3})
    assert invalid.status_code == 422
    assert {tuple(error["loc"]) for error in invalid.json()["detail"]} == {("query", "upper"), ("body", "text")}
    assert client.get("/notes/x").status_code == 404


def test_missing_verbs_are_405_with_allow_and_options_lists_them(client: Any) -> None:
    refused = client.post("/notes/1", json={})
    assert refused.status_code == 405 and refused.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    options = client.options("/notes/1")
    assert options.status_code == 204 and options.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    head = client.head("/notes/1")
    assert head.status_code == 200 and head.content == b""


def test_class_and_method_middleware_and_error_handlers(client: Any) -> None:
    client.put("/notes/3", json={"text": "x"})
    assert client.calls == ["class", "method"]
    missing = client.get("/notes/99")
    assert (missing.status_code, missing.json()) == (404, {"missing": 99})
    assert missing.headers.get_list("x-layers") == ["class"]


def test_auth_on_one_method_and_a_sync_method_in_a_worker_thread(client: Any) -> None:
    assert client.get("/notes/1").status_code == 200  # other verbs stay open
    assert client.delete("/notes/1").status_code == 401
    assert client.delete("/notes/1", headers={"x-user": "ada"}).status_code == 403
    deleted = client.delete("/notes/1", headers={"x-user": "root"})
    assert deleted.json() == {"deleted": 1, "worker_thread": True}


def test_the_openapi_document_has_one_operation_per_verb() -> None:
    app, _ = build([])
    operations = app.openapi()["paths"]["/notes/{note_id}"]
    assert sorted(operations) == ["delete", "get", "put"]
    assert operations["get"]["summary"] == "Read a note." and operations["get"]["tags"] == ["notes"]
    assert [p["name"] for p in operations["put"]["parameters"]] == ["note_id", "upper"]
    assert "requestBody" in operations["put"]
    assert len({operation["operationId"] for operation in operations.values()}) == 3
    assert app.url_for("Notes", note_id=5) == "/notes/5"


def test_as_route_choices_and_mistakes() -> None:
    class Ping(APIHandler):  # upstream's documented name
        middlewares = []  # upstream's documented spelling

        async def get(self, request: Any, response: Any) -> str:
            return "pong"

        async def post(self, request: Any, response: Any) -> str:
            return "posted"

    app = get_application()
    app.add_route(Ping.as_route("/ping", methods=["get"]))
    with TestClient(app) as http:
        assert http.get("/ping").text == "pong"
        assert http.post("/ping").status_code == 405
    with pytest.raises(ImproperlyConfigured, match="has no delete method"):
        Ping.as_route("/ping", methods=["GET", "DELETE"])

    class Empty(APIView):
        pass

    with pytest.raises(ImproperlyConfigured, match="defines none of"):
        Empty.as_route("/empty")


def test_a_view_whose_constructor_needs_arguments_is_refused_when_routed() -> None:
    class NeedsStore(APIView):
        def __init__(self, store: dict[str, str]) -> None:
            self.store = store

        async def get(self, request: Any, response: Any) -> Any:
            return self.store

    with pytest.raises(ImproperlyConfigured, match=r"NeedsStore\(\) is made for each request without arguments"):
        NeedsStore.as_route("/store")

    class Defaulted(APIView):
        def __init__(self, greeting: str = "hi") -> None:
            self.greeting = greeting

        async def get(self, request: Any, response: Any) -> Any:
            return {"greeting": self.greeting}

    app = get_application()
    app.add_route(Defaulted.as_route("/hello"))
    with TestClient(app) as http:
        assert http.get("/hello").json() == {"greeting": "hi"}


def test_the_instance_holds_the_request_and_response_as_upstream_views_did() -> None:
    class Whoami(APIView):
        async def get(self, req: Any, res: Any) -> Any:
            return self.res.json({"path": self.request.url.path, "same": self.response is res and self.request is req})

        def post(self, request: Any, response: Any) -> Any:  # in a worker thread too
            return {"method": self.request.method}

    app = get_application()
    app.add_route(Whoami.as_route("/whoami"))
    with TestClient(app) as http:
        assert http.get("/whoami").json() == {"path": "/whoami", "same": True}
        assert http.post("/whoami").json() == {"method": "POST"}
