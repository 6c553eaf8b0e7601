"""Sessions across processes: two uvicorn workers sharing one Redis serve one session, and a
server refuses to start an app whose sessions have no secret key."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.support.live_server import LiveServer, live_server


def test_a_session_written_through_one_worker_is_read_through_another(
    redis_server_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEXIOS_TEST_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setenv("NEXIOS_TEST_REDIS_URL", redis_server_url)
    monkeypatch.setenv("NEXIOS_TEST_REDIS_PREFIX", redis_prefix)
    app = "tests.session.two_workers_app:app"
    with live_server(app) as first, live_server(app) as second:
        assert first.port != second.port
        with httpx.Client() as client:
            written = client.post(f"{first.base_url}/session", json={"cart": ["book"], "user": "alice"})
            assert written.status_code == 200, first.output()
            cookie = written.cookies["session_id"]
            client.cookies.clear()
            read = client.get(f"{second.base_url}/session", headers={"cookie": f"session_id={cookie}"})
            assert read.status_code == 200, second.output()
    assert read.json()["data"] == {"cart": ["book"], "user": "alice"}
    assert read.json()["pid"] != written.json()["pid"]


def test_a_server_refuses_to_start_an_app_without_a_secret_key() -> None:
    # uvicorn's default lifespan mode ("auto"), as `uvicorn module:app` runs it.
    server = LiveServer("tests.session.no_secret_app:app")
    try:  # closed whatever happens: a server that did start must not outlive the test
        with pytest.raises(RuntimeError) as raised:
            server.start()
        output = str(raised.value)
        assert "SessionMiddleware needs a secret key" in output
        assert "Application startup failed" in output
    finally:
        server.close()
