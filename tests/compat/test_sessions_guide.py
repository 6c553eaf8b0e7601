"""Upstream's sessions guide (``apps/sessions_guide.py``) runs on the facade: the basic setup,
upstream's configuration keys with the file manager, and an upstream-style custom session class,
which sees only session ids this app signed."""

from __future__ import annotations

import os

from nexios.testclient import TestClient
from tests.compat.apps import sessions_guide


def test_counter_session_and_its_cookie() -> None:
    with TestClient(sessions_guide.app) as client:
        assert client.get("/").text == "You've visited this page 1 times"
        assert client.get("/").text == "You've visited this page 2 times"
        cookie = client.get("/").headers["set-cookie"]
    assert cookie.startswith("session_id=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_operations_login_dashboard_and_logout() -> None:
    with TestClient(sessions_guide.app) as client:
        demo = client.get("/session-demo").json()
        assert demo == {"user_id": None, "session_keys": ["last_visit"], "empty": False}
        failed = client.post("/login", data={"username": "ada", "password": "wrong"}, follow_redirects=False)
        assert failed.headers["location"] == "/login?error=invalid_credentials"
        assert client.post("/login", data={"username": "ada", "password": "secret"},
                           follow_redirects=False).headers["location"] == "/dashboard"
        assert client.get("/dashboard").text == "<h1>Welcome, ada!</h1>"
        assert client.get("/session-demo").json()["user_id"] == 1
        client.post("/logout", follow_redirects=False)
        assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/login"


def test_upstream_configuration_keys_and_the_file_manager() -> None:
    with TestClient(sessions_guide.configured, base_url="https://testserver") as client:
        added = client.post("/cart/add/7?quantity=2")
        cookie = added.headers["set-cookie"]
        assert cookie.startswith("nexios_session=")
        assert all(part in cookie for part in ("Secure", "HttpOnly", "SameSite=Lax", "Max-Age=86400", "Path=/"))
        client.post("/cart/add/7")
        assert client.get("/cart").json()["total"] == 6
        files = os.listdir(sessions_guide.SESSION_DIRECTORY)
        assert len(files) == 1 and files[0].endswith(".json")  # on disk, named by the session id
        client.post("/cart/clear")
        assert client.get("/cart").json() == {"items": {}, "total": 0}


def test_an_upstream_custom_session_class_stores_sessions_under_signed_ids_only() -> None:
    sessions_guide.STORE.clear()
    with TestClient(sessions_guide.custom) as client:
        assert client.get("/").text == "You've visited this page 1 times"
        assert client.get("/").text == "You've visited this page 2 times"
        (key,) = sessions_guide.STORE
        assert key.startswith("session:")
        session_id = key.removeprefix("session:")
        assert len(session_id) == 43
        cookie_value = client.cookies["session_id"]
        assert cookie_value.startswith(session_id + ".")  # the cookie is the id plus its signature
    # A client presenting a bare id (or a path) reaches no stored session: it starts afresh.
    for forged in (session_id, "../../etc/passwd", session_id + ".forged"):
        with TestClient(sessions_guide.custom, cookies={"session_id": forged}) as client:
            assert client.get("/").text == "You've visited this page 1 times"


def test_a_custom_session_class_written_against_upstreams_code_names() -> None:
    # Upstream's source keeps the data in ``_session_cache`` (its guide says ``_data``).
    from nexios import NexiosApp
    from nexios.session.base import BaseSessionInterface
    from nexios.session.middleware import SessionMiddleware

    store: dict[str, dict[str, object]] = {}

    class DictSession(BaseSessionInterface):
        async def load(self) -> None:
            self._session_cache = dict(store.get(self.session_key or "", {}))

        async def save(self) -> None:
            store[self.get_session_key()] = dict(self._session_cache)

    app = NexiosApp()
    app.config.secret_key = "a-secret-key-for-this-test-only-123"
    app.config.session = {"manager": DictSession}
    app.add_middleware(SessionMiddleware())

    @app.get("/visit")
    async def visit(req: object, res: object) -> object:
        count = req.session.get("count", 0) + 1  # type: ignore[attr-defined]
        req.session["count"] = count  # type: ignore[attr-defined]
        return {"count": count}

    with TestClient(app) as client:
        assert [client.get("/visit").json()["count"] for _ in range(3)] == [1, 2, 3]
    assert [data["count"] for data in store.values()] == [3]
