"""The signed-cookie backend (the default): the data rides in the cookie, signed and timestamped."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios.session.middleware import SessionMiddleware
from nexios.session.signed_cookies import SignedSessionManager
from nexios_session import new_session_id

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
CookieOf = Callable[..., "str | None"]


class Clock:
    """A clock the test moves by hand, so expiry is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_encode_then_decode_round_trips() -> None:
    manager = SignedSessionManager("secret")
    session_id = new_session_id()
    value = manager.encode(session_id, {"user": "alice", "n": [1, 2]}, 60)
    assert manager.decode(value, 60) == (session_id, {"user": "alice", "n": [1, 2]})


def test_cookie_value_uses_only_cookie_safe_characters() -> None:
    value = SignedSessionManager("secret").encode(new_session_id(), {"text": "é; \"quoted\" ,"}, 60)
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert set(value) <= allowed


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-5] + ("A" if v[-5] != "A" else "B") + v[-4:],  # signature changed
        lambda v: ("A" if v[0] != "A" else "B") + v[1:],  # payload changed
        lambda v: v.split(".")[0],  # signature removed
        lambda v: "",
        lambda v: "not-a-session",
        lambda v: "..." * 50,
        lambda v: v + "é",
    ],
)
def test_tampered_values_decode_as_no_session(tamper: Callable[[str], str]) -> None:
    manager = SignedSessionManager("secret")
    value = manager.encode(new_session_id(), {"admin": False}, 60)
    assert manager.decode(tamper(value), 60) is None


def test_forged_payload_with_a_recomputed_body_is_refused() -> None:
    manager = SignedSessionManager("secret")
    value = manager.encode(new_session_id(), {"admin": False}, 60)
    payload, timestamp, signature = value.split(".")
    forged_json = json.dumps({"id": new_session_id(), "data": {"admin": True}}).encode()
    forged = base64.urlsafe_b64encode(forged_json).decode().rstrip("=")
    assert manager.decode(f"{forged}.{timestamp}.{signature}", 60) is None


def test_a_cookie_signed_with_another_key_is_refused() -> None:
    value = SignedSessionManager("other-secret").encode(new_session_id(), {"admin": True}, 60)
    assert SignedSessionManager("secret").decode(value, 60) is None


def test_key_rotation_old_keys_verify_newest_signs() -> None:
    old_value = SignedSessionManager("old").encode(new_session_id(), {"a": 1}, 60)
    rotated = SignedSessionManager(["old", "new"])
    assert rotated.decode(old_value, 60) is not None
    new_value = rotated.encode(new_session_id(), {"a": 2}, 60)
    assert SignedSessionManager("new").decode(new_value, 60) is not None
    assert SignedSessionManager("old").decode(new_value, 60) is None


def test_expiry_is_enforced_on_every_decode() -> None:
    clock = Clock()
    manager = SignedSessionManager("secret", clock=clock)
    value = manager.encode(new_session_id(), {"a": 1}, 100)
    clock.now += 100
    assert manager.decode(value, 100) is not None
    clock.now += 1
    assert manager.decode(value, 100) is None


def test_a_cookie_from_the_future_is_refused() -> None:
    clock = Clock()
    manager = SignedSessionManager("secret", clock=clock)
    clock.now += 3600
    value = manager.encode(new_session_id(), {"a": 1}, 100)
    clock.now -= 3600
    assert manager.decode(value, 100) is None


def test_a_signed_payload_of_the_wrong_shape_is_refused() -> None:
    manager = SignedSessionManager("secret")
    for payload in ([1, 2], {"id": "short", "data": {}}, {"id": new_session_id(), "data": [1]}, "x"):
        assert manager.decode(manager.serializer.dumps(payload), 60) is None


def test_without_a_secret_key_the_manager_says_how_to_get_one() -> None:
    with pytest.raises(RuntimeError, match="secret_key"):
        SignedSessionManager().encode(new_session_id(), {}, 60)


# ---------------------------------------------------------------- through the middleware
async def test_expired_cookie_replayed_after_expiry_gives_a_fresh_session(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    clock = Clock()
    app = session_app(SessionMiddleware(backend=SignedSessionManager(clock=clock), max_age=300))
    async with client_for(app) as client:
        value = cookie_of(await client.post("/session", json={"user": "alice"}))
        cookie = {"cookie": f"session_id={value}"}
        clock.now += 299
        assert (await client.get("/session", headers=cookie)).json()["data"] == {"user": "alice"}
        clock.now += 2
        replay = await client.get("/session", headers=cookie)
    assert replay.status_code == 200
    assert replay.json()["data"] == {}


async def test_session_data_that_is_not_json_is_a_logged_server_error(
    client_for: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from nexios import get_application

    app = get_application(config={"secret_key": "k"})
    app.add_middleware(SessionMiddleware())

    @app.post("/")
    async def write(request: Any, response: Any) -> Any:
        request.session["when"] = object()
        return {}

    with caplog.at_level(logging.ERROR):
        async with client_for(app) as client:
            response = await client.post("/")
    assert response.status_code == 500
    assert "Session data must be JSON" in caplog.text


async def test_a_session_too_big_for_a_cookie_is_a_clear_server_error(
    session_app: Any, client_for: Client, caplog: pytest.LogCaptureFixture
) -> None:
    import secrets

    with caplog.at_level(logging.ERROR):
        async with client_for(session_app()) as client:
            # Random text barely compresses: this is well over 4 KB once encoded.
            response = await client.post("/session", json={"blob": secrets.token_urlsafe(3500)})
    assert response.status_code == 500
    assert response.headers.get_list("set-cookie") == []
    assert "4093-byte limit" in caplog.text and "server-side backend" in caplog.text


async def test_a_session_just_under_the_limit_is_sent(
    session_app: Any, client_for: Client, cookie_of: CookieOf
) -> None:
    import secrets

    async with client_for(session_app()) as client:
        response = await client.post("/session", json={"blob": secrets.token_hex(1300)})
    assert response.status_code == 200
    assert len(response.headers["set-cookie"]) <= 4093
