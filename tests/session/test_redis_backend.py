"""The Redis backend against a real redis-server (started by conftest.py): one key per session
under a prefix, with a TTL of max_age."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from nexios.session.redis import RedisSessionManager
from nexios_core.exceptions import ImproperlyConfigured
from nexios_session import new_session_id

pytestmark = pytest.mark.anyio


@pytest.fixture
async def redis_client(redis_server_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_server_url)
    try:
        yield client
    finally:
        await client.aclose()


async def test_save_load_delete(redis_server_url: str, redis_prefix: str) -> None:
    manager = RedisSessionManager(redis_server_url, prefix=redis_prefix)
    session_id = new_session_id()
    try:
        assert await manager.load(session_id) is None
        await manager.save(session_id, {"user": "alice", "roles": ["admin"]}, 60)
        assert await manager.load(session_id) == {"user": "alice", "roles": ["admin"]}
        await manager.delete(session_id)
        assert await manager.load(session_id) is None
    finally:
        await manager.aclose()


async def test_each_session_is_one_prefixed_key_with_a_ttl(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    manager = RedisSessionManager(client=redis_client, prefix=redis_prefix)
    session_id = new_session_id()
    await manager.save(session_id, {"a": 1}, 300)
    keys = await redis_client.keys(redis_prefix + "*")
    assert keys == [f"{redis_prefix}{session_id}".encode()]
    assert 295 <= await redis_client.ttl(keys[0]) <= 300
    await manager.save(session_id, {"a": 2}, 50)  # saving again resets the TTL
    assert 45 <= await redis_client.ttl(keys[0]) <= 50


async def test_a_session_is_gone_once_its_ttl_passes(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    import anyio

    manager = RedisSessionManager(client=redis_client, prefix=redis_prefix)
    session_id = new_session_id()
    await manager.save(session_id, {"a": 1}, 1)
    assert await manager.load(session_id) == {"a": 1}
    await anyio.sleep(1.2)
    assert await manager.load(session_id) is None


async def test_corrupt_or_foreign_values_read_as_no_session(
    redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    manager = RedisSessionManager(client=redis_client, prefix=redis_prefix)
    session_id = new_session_id()
    for value in (b"{broken", b"[1]", b"\x80\x04\x95pickle", b"42"):
        await redis_client.set(redis_prefix + session_id, value)
        assert await manager.load(session_id) is None


async def test_invalid_ids_never_reach_redis(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    manager = RedisSessionManager(client=redis_client, prefix=redis_prefix)
    await redis_client.set(redis_prefix + "*", b'{"a": 1}')
    assert await manager.load("*") is None
    with pytest.raises(ValueError):
        await manager.save("short", {"a": 1}, 60)
    await manager.delete("*")
    assert await redis_client.get(redis_prefix + "*") == b'{"a": 1}'


async def test_a_client_passed_in_is_left_open(redis_client: aioredis.Redis, redis_prefix: str) -> None:
    manager = RedisSessionManager(client=redis_client, prefix=redis_prefix)
    await manager.aclose()
    assert await redis_client.ping() is True


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"url": "redis://x", "client": "c"}, {"client": "c", "decode_responses": True}],
)
def test_needs_exactly_one_of_url_or_client(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured):
        RedisSessionManager(**kwargs)


async def test_the_app_closes_a_client_it_built_at_shutdown(redis_server_url: str, redis_prefix: str) -> None:
    from nexios import get_application
    from nexios.session.middleware import SessionMiddleware

    app = get_application(config={"secret_key": "k", "session": {
        "backend": "redis", "backend_options": {"url": redis_server_url, "prefix": redis_prefix},
    }})
    middleware = SessionMiddleware()
    app.add_middleware(middleware)
    async with app.run_lifespan():
        manager = middleware.backend
        assert isinstance(manager, RedisSessionManager)
        await manager.save(new_session_id(), {"a": 1}, 60)
        assert manager._client is not None
    assert manager._client is None
