"""Rate limiting (docs/rate-limiting.md): a limit for every request, tighter ones for some
routes, keyed by user, client address or API key.

Counts live in this process unless ``REDIS_URL`` is set; then every worker shares them.
"""

from __future__ import annotations

import os
from typing import Any

from nexios import get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser
from nexios.auth.backends import APIKeyAuthBackend
from nexios.http import Request
from nexios.middleware import RateLimitMiddleware
from nexios.ratelimit import (
    InMemoryRateLimitStore,
    RateLimit,
    RateLimitStore,
    by_api_key,
    by_client_ip,
    by_user,
    rate_limit,
)


# --- Where the counts live ------------------------------------------------------------------------
def rate_limit_store() -> RateLimitStore:
    url = os.environ.get("REDIS_URL")
    if url is None:
        return InMemoryRateLimitStore()        # one process
    from nexios.ratelimit import RedisRateLimitStore

    return RedisRateLimitStore(url)            # shared by every worker


store = rate_limit_store()
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))  # 1 behind one proxy of yours


# --- Every request: 100 a minute per user (per address when anonymous) ----------------------------
per_user = by_user(fallback=by_client_ip(TRUSTED_PROXIES))


def everyone_but_health_checks(request: Request) -> Any:
    if request.url.path == "/health":
        return None                            # None: not limited
    return per_user(request)


app = get_application()
app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys={"demo-key": SimpleUser("demo")})))
app.add_middleware(RateLimitMiddleware(limit=100, window=60, key=everyone_but_health_checks, store=store))


# --- One route: five login attempts a minute per address ------------------------------------------
@app.post("/login")
@rate_limit(5, 60, key=by_client_ip(TRUSTED_PROXIES), store=store)
async def login(request: Request, response: Any) -> Any:
    return {"token": "..."}


# --- A burst of 10, then one a second, per API key ------------------------------------------------
@app.get("/search")
@rate_limit(RateLimit(10, 10, algorithm="token_bucket", key=by_api_key(), store=store))
async def search(request: Request, response: Any) -> Any:
    return {"results": []}


@app.get("/health")
async def health(request: Request, response: Any) -> Any:
    return "ok"
