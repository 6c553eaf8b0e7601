"""``nexios.ratelimit``: rate limits for an app (``RateLimitMiddleware``) or one route
(``@rate_limit``), the algorithms, key functions and stores. ``RedisRateLimitStore`` needs
``pip install 'nexios[redis]'`` and is imported on first use."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nexios_core.ratelimit import (
    ALGORITHMS,
    Algorithm,
    Decision,
    InMemoryRateLimitStore,
    KeyFunction,
    RateLimit,
    RateLimitMiddleware,
    RateLimitStore,
    RateLimitStoreUnavailable,
    by_api_key,
    by_client_ip,
    by_user,
    rate_limit,
)

if TYPE_CHECKING:
    from nexios_core.ratelimit import RedisRateLimitStore


def __getattr__(name: str) -> Any:
    # The Redis store imports redis: only when asked for, so this module works without it.
    if name == "RedisRateLimitStore":
        return importlib.import_module("nexios_core.ratelimit").RedisRateLimitStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALGORITHMS",
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
    "rate_limit",
]
