"""What every backend promises through the middleware: round trips, a fresh session for
tampered, unknown or expired cookies (never an error), a new id at login (session fixation),
and one session per client however requests interleave."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from nexios.session.file import FileSessionManager
from nexios.session.middleware import SessionMiddleware
from nexios.session.signed_cookies import SignedSessionManager
from nexios_session import new_session_id

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
CookieOf = Callable[..., "str | None"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Setup:
    """One backend wired into the test app, plus what a test needs to poke at it."""

    def __init__(self, kind: str, backend: Any, clock: Clock | None, session_app: Any) -> None:
        self.kind, self.backend, self.clock = kind, backend, clock
        self._session_app = session_app
        self.middleware, self.app = self.build(max_age=60)

    def build(self, max_age: int) -> tuple[SessionMiddleware, Any]:
        """A started app using this backend with sessions living ``max_age`` seconds."""
        middleware = SessionMiddleware(backend=self.backend, max_age=max_age)
        app = self._session_app(middleware)
        app.build()
        return middleware, app

    @property
    def server_side(self) -> bool:
        return self.kind != "signed_cookie"


@pytest.fixture(params=["signed_cookie", "file", "redis"])
async def setup(
    request: pytest.FixtureRequest, tmp_path: Path, session_app: Any
) -> AsyncIterator[Setup]:
    kind = request.param
    clock: Clock | None = None
    backend: Any
    if kind == "signed_cookie":
        clock = Clock()
        backend = SignedSessionManager(clock=clock)
    elif kind == "file":
        clock = Clock()
        backend = FileSessionManager(tmp_path / "sessions", clock=clock)
    else:
        from nexios.session.redis import RedisSessionManager

        url = request.getfixturevalue("redis_server_url")
        backend = RedisSessionManager(url, prefix=request.getfixturevalue("redis_prefix"))
    try:
        yield Setup(kind, backend, clock, session_app)
    finally:
        if kind == "redis":
            await backend.aclose()


def cookie(value: str | None) -> dict[str, str]:
    assert value
    return {"cookie": f"session_id={value}"}


async def test_session_round_trips(setup: Setup, client_for: Client, cookie_of: CookieOf) -> None:
    async with client_for(setup.app) as client:
        written = await client.post("/session", json={"user": "alice", "cart": [1, 2]})
        value = cookie_of(written)
        read = await client.get("/session", headers=cookie(value))
        updated = await client.post("/session", json={"theme": "dark"}, headers=cookie(value))
        again = await client.get("/session", headers=cookie(cookie_of(updated)))
    assert read.json() == {"data": {"user": "alice", "cart": [1, 2]}, "id": written.json()["id"]}
    assert again.json()["data"] == {"user": "alice", "cart": [1, 2], "theme": "dark"}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-5] + ("A" if v[-5] != "A" else "B") + v[-4:],
        lambda v: ("A" if v[0] != "A" else "B") + v[1:],
        lambda v: v + "x",
        lambda v: v.split(".")[0],
        lambda v: "../../etc/passwd",
        lambda v: "%00" * 10,
        lambda v: "A" * 3000,
    ],
)
async def test_tampered_cookie_gives_a_fresh_empty_session(
    setup: Setup, client_for: Client, cookie_of: CookieOf, tamper: Callable[[str], str]
) -> None:
    async with client_for(setup.app) as client:
        value = cookie_of(await client.post("/session", json={"admin": False}))
        assert value is not None
        read = await client.get("/session", headers=cookie(tamper(value)))
    assert read.status_code == 200
    assert read.json()["data"] == {}
    assert read.headers.get_list("set-cookie") == []  # nothing changed: nothing sent


async def test_a_well_formed_but_unknown_session_is_fresh_and_never_adopted(
    setup: Setup, client_for: Client, cookie_of: CookieOf
) -> None:
    if setup.server_side:
        # A correctly signed id the server never issued a record for (or already deleted).
        signer = setup.middleware._id_signer
        assert signer is not None
        planted_id = new_session_id()
        planted = signer.sign(planted_id).decode()
    else:
        planted_id = new_session_id()
        planted = SignedSessionManager("some-other-app").encode(planted_id, {"user": "mallory"}, 60)
    async with client_for(setup.app) as client:
        read = await client.get("/session", headers=cookie(planted))
        written = await client.post("/session", json={"a": 1}, headers=cookie(planted))
    assert read.json()["data"] == {}
    assert written.json()["id"] != planted_id


async def test_login_regenerates_the_session_id_against_fixation(
    setup: Setup, client_for: Client, cookie_of: CookieOf
) -> None:
    async with client_for(setup.app) as client:
        # The attacker gets a session and plants its cookie in the victim's browser.
        planted = await client.post("/session", json={"visited": True})
        planted_cookie = cookie_of(planted)
        # The victim logs in carrying the planted cookie.
        login = await client.post("/login", json={"user": "victim"}, headers=cookie(planted_cookie))
        fresh_cookie = cookie_of(login)
        as_victim = await client.get("/session", headers=cookie(fresh_cookie))
        as_attacker = await client.get("/session", headers=cookie(planted_cookie))
    ids = login.json()
    assert ids["before"] == planted.json()["id"]
    assert ids["after"] != ids["before"]
    assert fresh_cookie is not None and fresh_cookie != planted_cookie
    assert as_victim.json()["data"] == {"visited": True, "user": "victim"}
    assert as_victim.json()["id"] == ids["after"]
    # The planted cookie never becomes the logged-in session.
    assert "user" not in as_attacker.json()["data"]
    if setup.server_side:
        assert as_attacker.json()["data"] == {}  # its record was deleted at login


async def test_logout_clears_the_session_and_deletes_the_cookie(
    setup: Setup, client_for: Client, cookie_of: CookieOf
) -> None:
    async with client_for(setup.app) as client:
        value = cookie_of(await client.post("/session", json={"user": "alice"}))
        logout = await client.post("/logout", headers=cookie(value))
        replay = await client.get("/session", headers=cookie(value))
    assert cookie_of(logout) == ""
    if setup.server_side:
        assert replay.json()["data"] == {}  # the server forgot it: replaying the cookie is useless


async def test_expired_cookie_replayed_after_expiry_gives_a_fresh_session(
    setup: Setup, client_for: Client, cookie_of: CookieOf
) -> None:
    # Signed cookies and files follow the test's clock; Redis expires keys on its own clock, so
    # it gets a real one-second session.
    max_age = 60 if setup.clock is not None else 1
    _, app = setup.build(max_age=max_age)
    async with client_for(app) as client:
        value = cookie_of(await client.post("/session", json={"user": "alice"}))
        assert (await client.get("/session", headers=cookie(value))).json()["data"] == {"user": "alice"}
        if setup.clock is not None:
            setup.clock.now += max_age + 1
        else:
            await anyio.sleep(max_age + 0.3)
        replay = await client.get("/session", headers=cookie(value))
    assert replay.status_code == 200
    assert replay.json()["data"] == {}


async def test_concurrent_clients_each_keep_their_own_session(
    setup: Setup, client_for: Client, cookie_of: CookieOf
) -> None:
    results: dict[int, Any] = {}

    async def one_client(n: int, client: httpx.AsyncClient) -> None:
        value = cookie_of(await client.post("/session", json={"n": n}))
        for i in range(3):
            await anyio.sleep(0)
            value = cookie_of(await client.post("/session", json={"i": i}, headers=cookie(value))) or value
        results[n] = (await client.get("/session", headers=cookie(value))).json()["data"]

    async with client_for(setup.app) as client:
        async with anyio.create_task_group() as group:
            for n in range(20):
                group.start_soon(one_client, n, client)
    assert results == {n: {"n": n, "i": 2} for n in range(20)}
