"""Rate limiting: a middleware, a per-route decorator, three algorithms, in-memory and Redis stores.

    from nexios_core.ratelimit import RateLimit, RateLimitMiddleware, rate_limit, by_user

    app.add_middleware(RateLimitMiddleware(limit=1000, window=3600))     # every request

    @app.post("/login")
    @rate_limit(5, 60)                                                  # one route
    async def login(request, response): ...

``RedisRateLimitStore`` (shared by every worker; needs ``pip install 'nexios-core[redis]'``) is
imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .algorithms import ALGORITHMS, Algorithm, Decision
from .decorator import rate_limit
from .keys import MAX_KEY_LENGTH, KeyFunction, by_api_key, by_client_ip, by_user, digest
from .middleware import RateLimitMiddleware
from .rules import RateLimit
from .stores import DEFAULT_MAX_KEYS, InMemoryRateLimitStore, RateLimitStore, RateLimitStoreUnavailable

if TYPE_CHECKING:
    from .redis_store import RedisRateLimitStore



def __getattr__(name: str) -> Any:
    # The Redis store imports redis: only when asked for, so this package works without it.
    if name == "RedisRateLimitStore":
        return importlib.import_module(f"{__name__}.redis_store").RedisRateLimitStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALGORITHMS",
    "DEFAULT_MAX_KEYS",
    "MAX_KEY_LENGTH",
    "Algorithm",
    "Decision",
    "InMemoryRateLimitStore",
    "KeyFunction",
    "RateLimit",
    "RateLimitMiddleware",
    "RateLimitStore",
    "RateLimitStoreUnavailable",
    "RedisRateLimitStore",
    "by_api_key",
    "by_client_ip",
    "by_user",
    "digest",
    "rate_limit",
]
