"""Where limit state lives: the store protocol, and the in-memory store (the default).

The in-memory store counts per process: with several workers each counts on its own (a limit of
N becomes N per worker). :class:`~nexios_core.ratelimit.redis_store.RedisRateLimitStore` shares
the counts between workers.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ..exceptions import ServiceUnavailable
from .algorithms import STEPS, Algorithm, Decision, State, expiry_of

logger = logging.getLogger("nexios.ratelimit")

DEFAULT_MAX_KEYS = 100_000
"""Keys the in-memory store tracks at most (about 20 MB); the least recently seen go first."""
_PURGE_PER_HIT = 4  # expired keys forgotten per request, so memory follows the live keys
_EVICTION_WARNING_INTERVAL = 60.0


class RateLimitStoreUnavailable(ServiceUnavailable):
    """The store (Redis) cannot be reached: answers 503 with ``Retry-After`` unless the rule
    says ``fail_open=True``."""

    def __init__(self, detail: str = "Rate limiting is unavailable", retry_after: int = 1) -> None:
        super().__init__(detail=detail, headers={"Retry-After": str(retry_after)})


@runtime_checkable
class RateLimitStore(Protocol):
    """Counts requests per key. ``hit`` must be atomic: two concurrent hits on one key never see
    the same state (no read-modify-write race between workers)."""

    async def hit(self, key: str, algorithm: Algorithm, limit: int, window: float, cost: int) -> Decision:
        """Count a request of ``cost`` units on ``key`` (unless it is refused) and decide."""
        ...


class InMemoryRateLimitStore:
    """Limit state in this process's memory, bounded: keys whose state has expired are forgotten
    as requests come, and beyond ``max_keys`` the least recently seen key is dropped (its client
    starts afresh, which errs on the side of letting requests through)."""

    def __init__(self, max_keys: int = DEFAULT_MAX_KEYS, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.max_keys = max_keys
        self.clock = clock
        # key -> (algorithm, expiry, state); oldest use first.
        self._entries: collections.OrderedDict[str, tuple[Algorithm, float, State]] = collections.OrderedDict()
        # A store may be shared by apps served on different threads (test clients do that).
        self._lock = threading.Lock()
        self._last_eviction_warning = -_EVICTION_WARNING_INTERVAL

    def __len__(self) -> int:
        return len(self._entries)

    async def hit(self, key: str, algorithm: Algorithm, limit: int, window: float, cost: int) -> Decision:
        step = STEPS[algorithm]
        with self._lock:
            now = self.clock()
            entries = self._entries
            entry = entries.get(key)
            state = entry[2] if entry is not None and entry[0] == algorithm else None
            state, decision = step(state, now, limit, window, cost)
            entries[key] = (algorithm, expiry_of(algorithm, state, now, window, decision), state)
            entries.move_to_end(key)
            self._purge(now)
        return decision

    def _purge(self, now: float) -> None:
        entries = self._entries
        for _ in range(_PURGE_PER_HIT):
            oldest = next(iter(entries.items()), None)
            if oldest is None or oldest[1][1] > now:
                break
            del entries[oldest[0]]
        if len(entries) > self.max_keys:
            entries.popitem(last=False)
            if now - self._last_eviction_warning >= _EVICTION_WARNING_INTERVAL:
                self._last_eviction_warning = now
                logger.warning("The in-memory rate limit store is full (%d keys): forgetting the least "
                               "recently seen; raise max_keys or use a Redis store", self.max_keys)


__all__ = ["DEFAULT_MAX_KEYS", "InMemoryRateLimitStore", "RateLimitStore", "RateLimitStoreUnavailable"]
