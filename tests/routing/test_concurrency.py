"""Many requests in flight at once: each answer belongs to its own request."""

from __future__ import annotations

import random
from typing import Any

import anyio
import pytest

from nexios import NexiosApp, Router

pytestmark = pytest.mark.anyio


def _app() -> NexiosApp:
    app = NexiosApp()
    accounts = Router(prefix="/accounts/{account}")

    @app.middleware
    async def tag_request(request: Any, response: Any, call_next: Any) -> Any:
        # Per-request state set before the handler yields to other tasks must not leak.
        request.state.marker = request.query_params.get("n")
        result = await call_next()
        result.headers["x-marker"] = str(request.state.marker)
        return result

    @accounts.post("/items/{item_id:int}")
    async def add_item(request: Any, response: Any, item_id: int) -> Any:
        body = await request.json
        await anyio.sleep(random.random() / 100)  # interleave the requests
        return {
            "account": request.path_params["account"],  # a parameter of the router's prefix
            "item_id": item_id,
            "n": request.query_params.get("n"),
            "body": body,
            "path_params": dict(request.path_params),
        }

    app.mount_router(accounts)
    return app


async def test_200_concurrent_requests_each_get_their_own_answer(client_for: Any) -> None:
    app = _app()
    results: dict[int, Any] = {}

    async with client_for(app) as client:

        async def one(n: int) -> None:
            answer = await client.post(
                f"/accounts/acct-{n}/items/{n * 7}",
                params={"n": str(n)},
                json={"n": n, "payload": "x" * (n % 13)},
            )
            results[n] = answer

        async with anyio.create_task_group() as group:
            for n in range(200):
                group.start_soon(one, n)

    assert len(results) == 200
    for n, answer in results.items():
        assert answer.status_code == 200
        assert answer.headers["x-marker"] == str(n)
        assert answer.json() == {
            "account": f"acct-{n}",
            "item_id": n * 7,
            "n": str(n),
            "body": {"n": n, "payload": "x" * (n % 13)},
            "path_params": {"account": f"acct-{n}", "item_id": n * 7},
        }
