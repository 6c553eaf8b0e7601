"""A limit of N per window holds across two uvicorn workers sharing Redis, under concurrent load:
exactly N requests are accepted and the rest get 429, for every algorithm and for the middleware."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.support.live_server import live_server

LIMIT = 30
REQUESTS = 90


async def hammer(urls: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        return list(await asyncio.gather(*(client.get(url) for url in urls)))


def test_n_requests_per_window_hold_across_two_workers_under_concurrent_load(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEXIOS_TEST_REDIS_URL", redis_url)
    monkeypatch.setenv("NEXIOS_TEST_PREFIX", f"test:{uuid.uuid4().hex}:")
    monkeypatch.setenv("NEXIOS_TEST_LIMIT", str(LIMIT))
    app = "tests.ratelimit.two_workers_app:app"
    with live_server(app) as first, live_server(app) as second:
        workers = (first, second)
        for path in ("/fixed_window", "/sliding_window", "/token_bucket", "/middleware"):
            urls = [f"{workers[n % 2].base_url}{path}" for n in range(REQUESTS)]
            answers = asyncio.run(hammer(urls))
            accepted = [a for a in answers if a.status_code == 200]
            refused = [a for a in answers if a.status_code == 429]
            assert (len(accepted), len(refused)) == (LIMIT, REQUESTS - LIMIT), (path, first.output(), second.output())
            assert {a.json()["pid"] for a in accepted} == {first.process.pid, second.process.pid}  # type: ignore[union-attr]
            # Each accepted request saw its own count: no two read the same state.
            assert sorted(int(a.headers["ratelimit-remaining"]) for a in accepted) == list(range(LIMIT))
            assert all(int(a.headers["retry-after"]) >= 1 for a in refused)
            assert all(a.headers["ratelimit-remaining"] == "0" for a in refused)
