"""``RateLimitMiddleware``: rate limits for every request the middleware wraps."""

from __future__ import annotations

from typing import Any

from ..middleware.base import BaseMiddleware
from ..middleware.chain import CallNext
from ..request import Request
from ..responses import Response
from .algorithms import Decision
from .rules import RateLimit


class RateLimitMiddleware(BaseMiddleware):
    """Check ``rules`` (each a :class:`RateLimit`) for every request, in order: the first that
    refuses answers 429. Without rules, the keyword options make one
    (``RateLimitMiddleware(limit=100, window=60, key=by_user())``).

    It is function middleware, so it runs after raw ASGI middleware and in the order function
    middleware is added: add it after ``AuthenticationMiddleware`` to key by user. The
    ``RateLimit-*`` headers of allowed responses describe the rule closest to refusing, this
    middleware's or the route's own (``@rate_limit``).
    """

    def __init__(self, *rules: RateLimit, limit: int | None = None, window: float | None = None,
                 **options: Any) -> None:
        if rules and (limit is not None or window is not None or options):
            raise TypeError("Give RateLimit rules, or limit=/window= options for one rule, not both")
        if not rules:
            if limit is None or window is None:
                raise TypeError("RateLimitMiddleware needs RateLimit rules, or limit= and window=")
            options.setdefault("name", "global")
            rules = (RateLimit(limit, window, **options),)
        self.rules = [rule if rule.name is not None else rule.named(f"global.{index}")
                      for index, rule in enumerate(rules)]

    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        closest: tuple[RateLimit, Decision] | None = None
        for rule in self.rules:
            decision = await rule.check(request)
            if decision is None:
                continue
            if not decision.allowed:
                raise rule.refusal(decision)
            if rule.headers and (closest is None or decision.remaining < closest[1].remaining):
                closest = (rule, decision)
        outgoing = await call_next()
        if closest is not None:
            rule, decision = closest
            # A route's own limit (``@rate_limit``) may already describe a stricter policy.
            already = outgoing.headers.get("ratelimit-remaining")
            if already is None or not already.isdigit() or int(already) > decision.remaining:
                for name, value in rule.headers_for(decision).items():
                    outgoing.set_header(name, value)
        return outgoing


__all__ = ["RateLimitMiddleware"]
