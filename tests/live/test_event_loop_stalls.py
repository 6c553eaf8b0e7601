"""Under real uvicorn: while one client sends the second security review's adversarial requests
(items 1-3) at their size limits, other clients are still answered promptly.

The server runs in its own process, as in production, so the test's own CPU use does not share
its interpreter lock. Before the fixes, each of these requests blocked the event loop for
seconds (JSON, cookies) to hours (at the limits), and every concurrent request waited with it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as websocket_connect

from nexios_core.limits import DEFAULT_LIMITS, MIB
from tests.support.live_server import run_live_server

PROMPT = 0.5
"""Seconds within which a concurrent GET must be answered (acceptance criterion of the fix)."""
JSON = {"content-type": "application/json"}


def deep_unterminated_json(size: int) -> bytes:
    head = b"[" * 1025 + b'"'
    return head + b'\\"' * ((size - len(head)) // 2)


def attacks(base_url: str) -> dict[str, Callable[[httpx.Client], int]]:
    """Each attack, returning the HTTP status or WebSocket close code it got."""
    json_body = deep_unterminated_json(DEFAULT_LIMITS.max_body_size)
    cookie = 'a="' + "\\" * (DEFAULT_LIMITS.max_cookie_header_size - 8) + '"'
    form = b"csrf_token=" + b"a" * (DEFAULT_LIMITS.max_body_size - 20)

    def websocket_json(_: httpx.Client) -> int:
        with websocket_connect(base_url.replace("http", "ws") + "/ws", max_size=None) as ws:
            ws.send(deep_unterminated_json(DEFAULT_LIMITS.max_websocket_message_size - 16).decode())
            try:
                ws.recv(timeout=10)
            except ConnectionClosed as closed:  # the refusal is the answer
                return closed.rcvd.code if closed.rcvd is not None else 1006
        return 1000

    return {
        "json": lambda c: c.post("/json", content=json_body, headers=JSON).status_code,
        "typed-json": lambda c: c.post("/typed", content=json_body, headers=JSON).status_code,
        "websocket-json": websocket_json,
        "cookie": lambda c: c.get("/health", headers={"cookie": cookie}).status_code,
        "punycode-form": lambda c: c.post(
            "/no-route", content=form,
            headers={"content-type": "application/x-www-form-urlencoded; charset=punycode"},
        ).status_code,
        "idna-text": lambda c: c.post(
            "/text", content=b"x" * MIB, headers={"content-type": "text/plain; charset=idna"}
        ).status_code,
    }


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with run_live_server("tests.live.stall_app:app") as url:
        yield url


@pytest.mark.parametrize("attack", ["json", "typed-json", "websocket-json", "cookie", "punycode-form", "idna-text"])
def test_adversarial_requests_at_their_limits_do_not_stall_other_clients(base_url: str, attack: str) -> None:
    send = attacks(base_url)[attack]
    stop = threading.Event()
    answers: list[int] = []
    failures: list[BaseException] = []

    def attacker() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while not stop.is_set():
                try:
                    answers.append(send(client))
                except BaseException as exc:  # reported below, not swallowed
                    failures.append(exc)
                    return

    threads = [threading.Thread(target=attacker) for _ in range(2)]
    for thread in threads:
        thread.start()
    waits: list[float] = []
    try:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            time.sleep(0.3)  # the attack is under way
            for _ in range(20):
                start = time.perf_counter()
                assert client.get("/health").status_code == 200
                waits.append(time.perf_counter() - start)
                time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures, failures
    # Refused (4xx, or 1007 for the WebSocket message), or served correctly (cookies under
    # the cap): never a server error.
    assert answers and all(status < 500 or status == 1007 for status in answers), sorted(set(answers))
    assert max(waits) < PROMPT, f"slowest concurrent GET waited {max(waits):.2f} s"
