"""Limit state in Redis, shared by every worker.

Each algorithm is one Lua script: Redis runs a script atomically, so the read, the decision and
the write of one request never interleave with another worker's (no read-modify-write race), and
the time comes from Redis's own clock (``TIME``), so workers whose clocks disagree still count the
same windows. Keys expire with their state. Every call has a bounded timeout; a failure answers
503 (or lets requests through, with ``fail_open=True`` on the rule). When Redis refuses
connections, or after a few failures in a row, calls fail at once for ``retry_interval`` seconds
instead of each waiting for Redis.

Needs the ``redis`` package: ``pip install 'nexios-core[redis]'``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("The Redis rate limit store needs the redis package: pip install 'nexios-core[redis]'") from exc

from ..exceptions import ImproperlyConfigured
from .algorithms import Algorithm, Decision
from .stores import RateLimitStoreUnavailable

logger = logging.getLogger("nexios.ratelimit")

DEFAULT_PREFIX = "nexios:ratelimit:"
DEFAULT_TIMEOUT = 2.0
_ERRORS = (RedisError, OSError, asyncio.TimeoutError)
_FAILURES_BEFORE_PAUSE = 3
"""Consecutive failures after which calls fail at once for ``retry_interval``: one slow call
under load is not an outage, but a Redis that keeps failing must not make every request wait."""

_NOW = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
"""

# Every script: ARGV = limit, window (ms), cost; returns {allowed, remaining, reset ms, retry ms}.
_FIXED_WINDOW = """
local limit, window, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('SET', KEYS[1], cost, 'PX', window)
  return {1, limit - cost, window, 0}
end
if count + cost > limit then
  return {0, math.max(limit - count, 0), ttl, ttl}
end
count = redis.call('INCRBY', KEYS[1], cost)
return {1, limit - count, ttl, 0}
"""

_SLIDING_WINDOW = _NOW + """
local limit, window, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local index = math.floor(now / window)
local state = redis.call('HMGET', KEYS[1], 'i', 'c', 'p')
local current, previous = 0, 0
local stored = tonumber(state[1])
if stored == index then
  current, previous = tonumber(state[2]), tonumber(state[3])
elseif stored == index - 1 then
  previous = tonumber(state[2])
end
local left = window - (now - index * window)
local used = previous * left / window + current
if used + cost > limit then
  local retry
  local room = limit - current - cost
  if room >= 0 and previous > 0 then
    retry = math.max(left - room * window / previous, 0)
  else
    local fade = 0
    if current > 0 then fade = window - (limit - cost) * window / current end
    retry = left + math.max(fade, 0)
  end
  local reset = left
  if current > 0 then reset = left + window end
  redis.call('HSET', KEYS[1], 'i', index, 'c', current, 'p', previous)
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return {0, math.max(math.floor(limit - used), 0), math.ceil(reset), math.ceil(retry)}
end
current = current + cost
used = used + cost
redis.call('HSET', KEYS[1], 'i', index, 'c', current, 'p', previous)
redis.call('PEXPIRE', KEYS[1], window * 2)
return {1, math.max(math.floor(limit - used), 0), math.ceil(left + window), 0}
"""

_TOKEN_BUCKET = _NOW + """
local limit, window, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local rate = limit / window
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens, updated = tonumber(state[1]), tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = limit
else
  tokens = math.min(limit, tokens + math.max(now - updated, 0) * rate)
end
local allowed, retry = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate)
end
local reset = math.ceil((limit - tokens) / rate)
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'u', now)
redis.call('PEXPIRE', KEYS[1], math.max(reset, 1))
return {allowed, math.floor(tokens), reset, retry}
"""

_SCRIPTS = {"fixed_window": _FIXED_WINDOW, "sliding_window": _SLIDING_WINDOW, "token_bucket": _TOKEN_BUCKET}


class RedisRateLimitStore:
    """A :class:`~nexios_core.ratelimit.stores.RateLimitStore` in Redis, shared by every worker
    using the same Redis and ``prefix``.

    Give ``url`` (other keyword arguments go to ``redis.asyncio.from_url``) or ``client``.
    ``timeout`` bounds each call; ``retry_interval`` is how long calls fail at once, once Redis
    is found down, before it is tried again.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: aioredis.Redis | None = None,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
        retry_interval: float = 1.0,
        **client_options: Any,
    ) -> None:
        if (url is None) == (client is None):
            raise ImproperlyConfigured(
                "RedisRateLimitStore needs exactly one of url='redis://...' or client=redis.asyncio.Redis(...)"
            )
        if client is not None and client_options:
            raise ImproperlyConfigured("Client options apply only when RedisRateLimitStore builds the client from url")
        if timeout <= 0 or retry_interval < 0:
            raise ImproperlyConfigured("timeout must be positive and retry_interval not negative")
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self.retry_interval = retry_interval
        self._client = client
        self._owns_client = client is None
        self._client_options = client_options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scripts: dict[str, Any] = {}
        self._down_until = 0.0
        self._failures = 0

    @property
    def client(self) -> aioredis.Redis:
        """The Redis client (built from ``url`` for the running event loop)."""
        loop = asyncio.get_running_loop()
        if self._owns_client and (self._client is None or self._loop is not loop):
            assert self.url is not None
            # A client is tied to the event loop it first ran on (a test client runs each block
            # on a loop of its own): one per loop, the previous one dying with its loop.
            options: dict[str, Any] = {
                "socket_timeout": self.timeout,
                "socket_connect_timeout": self.timeout,
                # One immediate retry, for a pooled connection that died with a restarted Redis.
                "retry": Retry(NoBackoff(), 1),
                **self._client_options,
            }
            self._client = aioredis.from_url(self.url, **options)
            self._scripts = {}
        self._loop = loop
        assert self._client is not None
        return self._client

    async def hit(self, key: str, algorithm: Algorithm, limit: int, window: float, cost: int) -> Decision:
        if time.monotonic() < self._down_until:
            raise RateLimitStoreUnavailable(retry_after=max(1, round(self.retry_interval)))
        client = self.client
        script = self._scripts.get(algorithm)
        if script is None:
            script = self._scripts[algorithm] = client.register_script(_SCRIPTS[algorithm])
        window_ms = max(1, round(window * 1000))
        try:
            allowed, remaining, reset_ms, retry_ms = await asyncio.wait_for(
                script(keys=[self.prefix + key], args=[limit, window_ms, cost]), self.timeout
            )
        except _ERRORS as exc:
            self._failures += 1
            # Refused or reset: Redis is not there. A timeout may be a moment of load.
            if isinstance(exc, (ConnectionError, RedisConnectionError)) or self._failures >= _FAILURES_BEFORE_PAUSE:
                self._down_until = time.monotonic() + self.retry_interval
            logger.warning("Rate limit store (Redis) failed: %s: %s", type(exc).__name__, exc)
            raise RateLimitStoreUnavailable(retry_after=max(1, round(self.retry_interval))) from exc
        self._failures = 0
        return Decision(bool(allowed), limit, int(remaining), int(reset_ms) / 1000, int(retry_ms) / 1000)

    async def aclose(self) -> None:
        """Close the client if this store created it."""
        if self._owns_client and self._client is not None and self._loop is asyncio.get_running_loop():
            client, self._client = self._client, None
            await client.aclose()


__all__ = ["DEFAULT_PREFIX", "RedisRateLimitStore"]
