"""The Redis store against a real redis-server: the Lua scripts decide as the in-memory
algorithms do, concurrent hits never overshoot, and an outage answers promptly."""

from __future__ import annotations

import logging
import signal
import time

import anyio
import pytest

from nexios_core.ratelimit import ALGORITHMS, Algorithm, RateLimitStore, RateLimitStoreUnavailable
from nexios_core.ratelimit.redis_store import RedisRateLimitStore
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_each_algorithm_allows_the_limit_then_refuses(redis_url: str, prefix: str, algorithm: Algorithm) -> None:
    store = RedisRateLimitStore(redis_url, prefix=prefix)
    assert isinstance(store, RateLimitStore)
    try:
        decisions = [await store.hit("k", algorithm, 3, 3600, 1) for _ in range(4)]
        assert [d.allowed for d in decisions] == [True, True, True, False]
        assert [d.remaining for d in decisions] == [2, 1, 0, 0]
        assert decisions[3].retry_after > 0 and decisions[0].retry_after == 0
        assert 0 < decisions[0].reset_after <= 2 * 3600
        assert (await store.hit("other", algorithm, 3, 3600, 1)).allowed  # keys are separate
    finally:
        await store.aclose()


async def test_windows_end_and_buckets_refill(redis_url: str, prefix: str) -> None:
    store = RedisRateLimitStore(redis_url, prefix=prefix)
    try:
        for algorithm in ("fixed_window", "token_bucket"):
            assert (await store.hit(algorithm, algorithm, 2, 0.5, 2)).allowed
            refused = await store.hit(algorithm, algorithm, 2, 0.5, 1)
            assert not refused.allowed and 0 < refused.retry_after <= 0.5
            await anyio.sleep(refused.retry_after + 0.05)
            assert (await store.hit(algorithm, algorithm, 2, 0.5, 1)).allowed
    finally:
        await store.aclose()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_concurrent_hits_from_two_clients_never_overshoot(
    redis_url: str, prefix: str, algorithm: Algorithm
) -> None:
    # Two stores (two connection pools, as two workers have) hammering one key at once.
    stores = [RedisRateLimitStore(redis_url, prefix=prefix) for _ in range(2)]
    allowed: list[bool] = []

    async def hit(store: RedisRateLimitStore) -> None:
        allowed.append((await store.hit("shared", algorithm, 25, 86400, 1)).allowed)

    try:
        async with anyio.create_task_group() as group:
            for n in range(200):
                group.start_soon(hit, stores[n % 2])
    finally:
        for store in stores:
            await store.aclose()
    assert allowed.count(True) == 25 and allowed.count(False) == 175


async def test_an_outage_fails_fast_with_a_503_and_the_store_recovers(
    redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisRateLimitStore(redis_server.url, prefix=prefix, retry_interval=0.5)
    try:
        assert (await store.hit("k", "fixed_window", 5, 60, 1)).allowed
        redis_server.kill()
        with caplog.at_level(logging.WARNING, logger="nexios.ratelimit"):
            started = time.monotonic()
            with pytest.raises(RateLimitStoreUnavailable) as raised:
                await store.hit("k", "fixed_window", 5, 60, 1)
            assert raised.value.status_code == 503 and raised.value.headers["Retry-After"] == "1"
            for _ in range(20):  # while Redis is known to be down, no call waits for it
                with pytest.raises(RateLimitStoreUnavailable):
                    await store.hit("k", "fixed_window", 5, 60, 1)
            assert time.monotonic() - started < 2
        assert caplog.text.count("Rate limit store (Redis) failed") == 1
        redis_server.restart()
        await anyio.sleep(0.6)
        assert (await store.hit("k", "fixed_window", 5, 60, 1)).allowed  # a fresh Redis: a fresh count
    finally:
        await store.aclose()


async def test_a_burst_against_a_hung_redis_is_refused_within_the_timeout_and_then_recovers(
    redis_server: RedisServer, prefix: str
) -> None:
    # A Redis that accepts and never answers (SIGSTOP: a frozen host, a full network buffer) is
    # worse than one that refuses: only the timeout ends each call.
    store = RedisRateLimitStore(redis_server.url, prefix=prefix, timeout=0.5, retry_interval=0.5)
    assert redis_server.process is not None
    outcomes: list[str] = []

    async def hit() -> None:
        try:
            outcomes.append("allowed" if (await store.hit("burst", "token_bucket", 1000, 60, 1)).allowed else "refused")
        except RateLimitStoreUnavailable:
            outcomes.append("503")

    try:
        await hit()
        redis_server.process.send_signal(signal.SIGSTOP)
        try:
            for _ in range(2):  # two bursts: the second meets the pause, or times out again
                outcomes.clear()
                started = time.monotonic()
                async with anyio.create_task_group() as burst:
                    for _ in range(100):
                        burst.start_soon(hit)
                assert outcomes == ["503"] * 100
                assert time.monotonic() - started < 0.5 + 2  # one timeout, not one per request
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
        await anyio.sleep(0.6)  # the pause after the failures ends
        outcomes.clear()
        with anyio.fail_after(10):
            await hit()
        assert outcomes == ["allowed"]
    finally:
        await store.aclose()


def test_an_app_answers_503_while_its_store_is_down_unless_the_rule_fails_open(
    redis_server: RedisServer, prefix: str
) -> None:
    from nexios import get_application
    from nexios.ratelimit import RateLimit, rate_limit
    from nexios.testclient import TestClient

    store = RedisRateLimitStore(redis_server.url, prefix=prefix)
    app = get_application()

    @app.get("/strict")
    @rate_limit(RateLimit(5, 60, store=store))
    async def strict(request: object, response: object) -> str:
        return "strict"

    @app.get("/lenient")
    @rate_limit(RateLimit(5, 60, store=store, fail_open=True))
    async def lenient(request: object, response: object) -> str:
        return "lenient"

    client = TestClient(app)
    assert client.get("/strict").status_code == 200
    redis_server.kill()
    refused = client.get("/strict")
    assert (refused.status_code, refused.headers["retry-after"]) == (503, "1")
    assert refused.json() == {"detail": "Rate limiting is unavailable"}
    lenient_answer = client.get("/lenient")
    assert lenient_answer.status_code == 200 and "ratelimit-limit" not in lenient_answer.headers


def test_stacked_decorators_with_one_redis_store_count_apart(redis_url: str, prefix: str) -> None:
    # With one default name the two rules shared a Redis key: the token bucket's hash met the
    # fixed window's string (WRONGTYPE), every request answered 503, and the store paused.
    from nexios import get_application
    from nexios.ratelimit import rate_limit
    from nexios.testclient import TestClient

    store = RedisRateLimitStore(redis_url, prefix=prefix)
    app = get_application()

    @app.get("/search")
    @rate_limit(100, 3600, algorithm="token_bucket", store=store)
    @rate_limit(3, 60, store=store)
    async def search(request: object, response: object) -> str:
        return "found"

    client = TestClient(app)
    assert [client.get("/search").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
