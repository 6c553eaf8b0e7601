"""``RateLimit``: one rule (how many requests, per how long, counted by what key, where).

Rules are checked by :class:`~nexios_core.ratelimit.middleware.RateLimitMiddleware` (every
request it wraps) and by the :func:`~nexios_core.ratelimit.decorator.rate_limit` decorator (one
route). A refused request gets **429 Too Many Requests** with ``Retry-After``; with ``headers=True``
(the default) every checked response also carries the ``RateLimit-Limit``,
``RateLimit-Remaining``, ``RateLimit-Reset`` and ``RateLimit-Policy`` headers of the IETF
draft *RateLimit header fields for HTTP*.
"""

from __future__ import annotations

import inspect
import logging
import math

from ..exceptions import ImproperlyConfigured, TooManyRequests
from ..request import Request
from .algorithms import ALGORITHMS, Algorithm, Decision
from .keys import KeyFunction, bounded, by_client_ip
from .stores import InMemoryRateLimitStore, RateLimitStore, RateLimitStoreUnavailable

logger = logging.getLogger("nexios.ratelimit")


class RateLimit:
    """At most ``limit`` requests per ``window`` seconds for each key.

    - ``algorithm``: ``"fixed_window"`` (default), ``"sliding_window"`` or ``"token_bucket"``
      (see :mod:`~nexios_core.ratelimit.algorithms`).
    - ``key``: a key function (default :func:`~nexios_core.ratelimit.keys.by_client_ip`).
    - ``store``: where counts live (default: a new in-memory store for this rule; a
      ``RedisRateLimitStore`` to share them between workers).
    - ``name``: keeps this rule's counts apart from other rules' in a shared store (the
      decorator defaults it to the handler's qualified name; the middleware's is ``"global"``).
    - ``cost``: units one request takes. ``headers``: add ``RateLimit-*`` headers to responses.
    - ``fail_open``: when the store cannot be reached, let requests through (logged) instead of
      answering 503.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        algorithm: Algorithm = "fixed_window",
        key: KeyFunction | None = None,
        store: RateLimitStore | None = None,
        name: str | None = None,
        cost: int = 1,
        headers: bool = True,
        fail_open: bool = False,
        detail: str = "Too many requests",
    ) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ImproperlyConfigured(f"RateLimit limit must be a positive int, not {limit!r}")
        if isinstance(window, bool) or not isinstance(window, (int, float)) or not 0 < window < math.inf:
            raise ImproperlyConfigured(f"RateLimit window must be a positive number of seconds, not {window!r}")
        if algorithm not in ALGORITHMS:
            raise ImproperlyConfigured(f"RateLimit algorithm must be one of {', '.join(ALGORITHMS)}, not {algorithm!r}")
        if isinstance(cost, bool) or not isinstance(cost, int) or not 1 <= cost <= limit:
            raise ImproperlyConfigured(f"RateLimit cost must be an int from 1 to limit ({limit}), not {cost!r}")
        if key is not None and not callable(key):
            raise ImproperlyConfigured(f"RateLimit key must be a function of the request, not {key!r}")
        self.limit = limit
        self.window = float(window)
        self.algorithm: Algorithm = algorithm
        self.key: KeyFunction = key if key is not None else by_client_ip()
        self.store: RateLimitStore = store if store is not None else InMemoryRateLimitStore()
        self.name = name
        self.cost = cost
        self.headers = headers
        self.fail_open = fail_open
        self.detail = detail
        self._policy = f"{limit};w={math.ceil(self.window)}"

    def named(self, name: str) -> RateLimit:
        """This rule under another ``name`` (sharing its store)."""
        copy = object.__new__(RateLimit)
        copy.__dict__.update(self.__dict__)
        copy.name = name
        return copy

    async def check(self, request: Request) -> Decision | None:
        """Count ``request`` and decide; ``None`` when the key function exempts it, or when the
        store is down and the rule fails open. Raises :class:`RateLimitStoreUnavailable` (503)
        when the store is down otherwise."""
        key = self.key(request)
        if inspect.isawaitable(key):
            key = await key
        if key is None:
            return None
        if not isinstance(key, str):
            raise TypeError(f"A rate limit key function returns str or None, not {type(key).__name__}")
        try:
            # The algorithm is part of the key: rules that share a name but not an algorithm keep
            # apart (one algorithm's state read by another would reset it, or fail in Redis).
            return await self.store.hit(f"{self.name or 'default'}:{self.algorithm}:{bounded(key)}",
                                        self.algorithm, self.limit, self.window, self.cost)
        except RateLimitStoreUnavailable:
            if not self.fail_open:
                raise
            logger.warning("Rate limit store unavailable: letting the request through (fail_open=True)")
            return None

    def headers_for(self, decision: Decision) -> dict[str, str]:
        """The ``RateLimit-*`` headers describing ``decision``."""
        return {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(math.ceil(decision.reset_after)),
            "RateLimit-Policy": self._policy,
        }

    def refusal(self, decision: Decision) -> TooManyRequests:
        """The 429 to raise for a refused request: ``Retry-After`` (whole seconds, at least 1),
        and the ``RateLimit-*`` headers when enabled."""
        headers = self.headers_for(decision) if self.headers else {}
        headers["Retry-After"] = str(max(1, math.ceil(decision.retry_after)))
        return TooManyRequests(detail=self.detail, headers=headers)

    def __repr__(self) -> str:
        return f"RateLimit({self.limit}, {self.window:g}, algorithm={self.algorithm!r}, name={self.name!r})"


__all__ = ["RateLimit"]
