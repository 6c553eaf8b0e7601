"""WebSocket groups across processes: two uvicorn workers sharing a real redis-server.

A client connected to one worker receives a broadcast sent by a request to the other; a worker
killed with SIGKILL leaves no ghost members once the membership TTL has passed; Redis killed in
the middle gives prompt 503s (and close 1013 to new joiners), logged, and everything works again
once it is back.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.live_server import LiveServer, live_server
from tests.support.redis_server import RedisServer

APP = "tests.channels.two_workers_app:app"
TTL = 1.5


@pytest.fixture
def worker_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def configure(redis_url: str) -> None:
        monkeypatch.setenv("NEXIOS_TEST_REDIS_URL", redis_url)
        monkeypatch.setenv("NEXIOS_TEST_PREFIX", f"test:{uuid.uuid4().hex}:")
        monkeypatch.setenv("NEXIOS_TEST_MEMBERSHIP_TTL", str(TTL))

    return configure


@contextlib.contextmanager
def two_workers() -> Iterator[tuple[LiveServer, LiveServer]]:
    with live_server(APP) as first, live_server(APP) as second:
        yield first, second


@contextlib.contextmanager
def member_of(server: LiveServer, room: str) -> Iterator[ClientConnection]:
    with connect(f"{server.ws_url}/ws/{room}", open_timeout=10) as client:
        joined = json.loads(client.recv(timeout=10))
        assert joined["joined"] == room and joined["pid"] == server.process.pid  # type: ignore[union-attr]
        yield client


def members(server: LiveServer, room: str) -> int:
    answer = httpx.get(f"{server.base_url}/members/{room}", timeout=10)
    assert answer.status_code == 200, server.output()
    count: int = answer.json()["count"]
    return count


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s")
        time.sleep(0.1)


def test_a_client_on_one_worker_receives_a_broadcast_sent_through_the_other(
    redis_url: str, worker_env: Callable[[str], None]
) -> None:
    worker_env(redis_url)
    with two_workers() as (first, second), member_of(first, "lobby") as on_first, \
            member_of(second, "lobby") as on_second, member_of(first, "elsewhere") as bystander:
        sent = httpx.post(f"{second.base_url}/broadcast/lobby", json={"text": "hello"}, timeout=10)
        assert sent.status_code == 200, second.output()
        assert sent.json() == {"status": "group_send", "pid": second.process.pid}  # type: ignore[union-attr]
        assert json.loads(on_first.recv(timeout=10)) == {"text": "hello"}
        assert json.loads(on_second.recv(timeout=10)) == {"text": "hello"}
        with pytest.raises(TimeoutError):
            bystander.recv(timeout=0.5)
        assert members(first, "lobby") == members(second, "lobby") == 2
        nobody = httpx.post(f"{first.base_url}/broadcast/empty", json={}, timeout=10)
        assert nobody.json()["status"] == "no_such_group"


def test_a_killed_worker_leaves_no_ghost_members(redis_url: str, worker_env: Callable[[str], None]) -> None:
    worker_env(redis_url)
    with two_workers() as (doomed, survivor), member_of(survivor, "room") as staying:
        with contextlib.ExitStack() as doomed_clients:
            for _ in range(3):
                doomed_clients.enter_context(member_of(doomed, "room"))
            assert members(survivor, "room") == 4
            assert doomed.process is not None
            doomed.process.kill()  # SIGKILL: no shutdown, no goodbye to Redis
            doomed.process.wait(10)
            killed_at = time.monotonic()
            # When each count was asked for, not when it came back: on a busy machine a request
            # may take a while, and only Redis's expiry is under test.
            ghosts_seen_at = killed_at

            def only_the_survivor() -> bool:
                nonlocal ghosts_seen_at
                asked = time.monotonic()
                if members(survivor, "room") == 1:
                    return True
                ghosts_seen_at = asked
                return False

            wait_for(only_the_survivor, timeout=15)
            assert ghosts_seen_at - killed_at <= TTL * 2  # no ghost counted past the expiry
            # The survivor's members still get broadcasts.
            sent = httpx.post(f"{survivor.base_url}/broadcast/room", json={"n": 1}, timeout=10)
            assert sent.json()["status"] == "group_send"
            assert json.loads(staying.recv(timeout=10)) == {"n": 1}
            with contextlib.suppress(Exception):  # their server is gone: closing may fail
                doomed_clients.close()


def test_killing_redis_gives_clear_errors_and_everything_recovers_when_it_returns(
    redis_server: RedisServer, worker_env: Callable[[str], None]
) -> None:
    worker_env(redis_server.url)
    with two_workers() as (first, second), member_of(first, "room") as listener:
        redis_server.kill()

        # The sender gets a prompt 503 that says why, with Retry-After; nothing hangs.
        def refused() -> bool:
            started = time.monotonic()
            answer = httpx.post(f"{second.base_url}/broadcast/room", json={"lost": True}, timeout=10)
            assert time.monotonic() - started < 5
            return answer.status_code == 503 and "unreachable" in answer.json()["detail"] \
                and answer.headers["retry-after"] == "5"

        wait_for(refused, timeout=10)
        counting = httpx.get(f"{first.base_url}/members/room", timeout=10)
        assert counting.status_code == 503
        # A new member cannot join: its connection is closed with 1013 (try again later).
        with connect(f"{second.ws_url}/ws/room", open_timeout=10) as joiner:
            with pytest.raises(ConnectionClosed) as closed:
                joiner.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        # The connected member is untouched, and both workers are still serving.
        assert httpx.get(f"{first.base_url}/members/room", timeout=10).status_code == 503

        redis_server.restart()
        # Recovery: the workers reconnect, register their members again, and deliver.
        wait_for(lambda: httpx.get(f"{second.base_url}/members/room", timeout=10).status_code == 200)
        wait_for(lambda: members(second, "room") == 1)
        sent = httpx.post(f"{second.base_url}/broadcast/room", json={"back": True}, timeout=10)
        assert sent.status_code == 200 and sent.json()["status"] == "group_send"
        assert json.loads(listener.recv(timeout=10)) == {"back": True}
        for server in (first, second):
            log = server.output()
            assert "connection lost" in log and "reachable again" in log, log
            assert "Traceback" not in log, log
