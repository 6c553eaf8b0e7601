"""The app two uvicorn processes serve in ``test_two_workers.py``: one limit per algorithm, and
one through the middleware, all counted in Redis (``NEXIOS_TEST_REDIS_URL``,
``NEXIOS_TEST_PREFIX``, ``NEXIOS_TEST_LIMIT``)."""

from __future__ import annotations

import os
from typing import Any

from nexios import get_application
from nexios.middleware import RateLimitMiddleware
from nexios.ratelimit import RedisRateLimitStore, rate_limit

store = RedisRateLimitStore(os.environ["NEXIOS_TEST_REDIS_URL"], prefix=os.environ["NEXIOS_TEST_PREFIX"])
LIMIT = int(os.environ["NEXIOS_TEST_LIMIT"])
DAY = 86400  # long windows: no refill or window change during the test

app = get_application()
app.add_middleware(RateLimitMiddleware(
    limit=LIMIT, window=DAY, store=store, key=lambda request: "all" if request.url.path == "/middleware" else None,
))


@app.get("/fixed_window")
@rate_limit(LIMIT, DAY, store=store)
async def fixed(request: Any, response: Any) -> Any:
    return {"pid": os.getpid()}


@app.get("/sliding_window")
@rate_limit(LIMIT, DAY, algorithm="sliding_window", store=store)
async def sliding(request: Any, response: Any) -> Any:
    return {"pid": os.getpid()}


@app.get("/token_bucket")
@rate_limit(LIMIT, DAY, algorithm="token_bucket", store=store)
async def bucket(request: Any, response: Any) -> Any:
    return {"pid": os.getpid()}


@app.get("/middleware")
async def through_middleware(request: Any, response: Any) -> Any:
    return {"pid": os.getpid()}
