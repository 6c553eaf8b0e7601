"""A third-party backend: three async methods, no Nexios imports, plugged in by instance, by
class with options, or by name for the bundled ones."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from nexios.session.base import SessionBackend
from nexios.session.file import FileSessionManager
from nexios.session.middleware import SessionMiddleware

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
CookieOf = Callable[..., "str | None"]


class DictStore:
    """What a user might write for a database: it imports nothing from Nexios."""

    def __init__(self, namespace: str = "") -> None:
        self.namespace = namespace
        self.records: dict[str, tuple[float, dict[str, Any]]] = {}

    async def load(self, session_id: str) -> dict[str, Any] | None:
        record = self.records.get(session_id)
        if record is None or record[0] < time.time():
            return None
        return dict(record[1])

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        self.records[session_id] = (time.time() + max_age, dict(data))

    async def delete(self, session_id: str) -> None:
        self.records.pop(session_id, None)


def test_the_store_satisfies_the_documented_protocol() -> None:
    assert isinstance(DictStore(), SessionBackend)


async def test_an_instance_is_used_as_the_backend(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    store = DictStore()
    async with client_for(session_app(SessionMiddleware(backend=store))) as client:
        written = await client.post("/session", json={"user": "alice"})
        value = cookie_of(written)
        read = await client.get("/session", headers={"cookie": f"session_id={value}"})
        login = await client.post("/login", json={"user": "bob"}, headers={"cookie": f"session_id={value}"})
    session_id = written.json()["id"]
    assert read.json()["data"] == {"user": "alice"}
    # The cookie holds the signed id only; the data stays on the server.
    assert value is not None and value.startswith(session_id + ".") and "alice" not in value
    assert list(store.records) == [login.json()["after"]]  # the pre-login record is gone


async def test_a_class_is_built_with_backend_options_from_config(session_app: Any) -> None:
    middleware = SessionMiddleware()
    app = session_app(middleware, config={"session": {
        "backend": DictStore, "backend_options": {"namespace": "shop"},
    }})
    app.build()
    assert isinstance(middleware.backend, DictStore) and middleware.backend.namespace == "shop"


async def test_the_file_backend_by_name_and_its_2x_directory_setting(
    session_app: Any, client_for: Client, tmp_path: Path
) -> None:
    for session in (
        {"backend": "file", "backend_options": {"directory": str(tmp_path / "a")}},
        {"manager": FileSessionManager, "session_file_name": str(tmp_path / "b")},
    ):
        middleware = SessionMiddleware()
        app = session_app(middleware, config={"session": session})
        async with client_for(app) as client:
            response = await client.post("/session", json={"a": 1})
        assert response.status_code == 200
        backend = middleware.backend
        assert isinstance(backend, FileSessionManager)
        assert [p.suffix for p in backend.directory.iterdir()] == [".json"]
