"""The example from DESIGN.md §1, as written there, driven in-process."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import get_application

pytestmark = pytest.mark.anyio


def _seed_app(use_result: bool) -> Any:
    # --- verbatim from DESIGN.md §1 (the WebSocket route is covered by the WebSocket tests) ---
    app = get_application()

    @app.get("/users/{user_id:int}")
    async def get_user(request, response, user_id: int):  # type: ignore[no-untyped-def]
        return {"user_id": user_id}

    @app.post("/api/data")
    async def create(request, response):  # type: ignore[no-untyped-def]
        data = await request.json          # an awaitable property
        return {"status": "success", "data": data}

    # --- end of the verbatim part ---
    timings: list[str] = []
    if use_result:

        @app.middleware
        async def timing(request, response, next_handler):  # type: ignore[no-untyped-def]
            response = await next_handler()
            timings.append(request.path)
            return response

    else:

        @app.middleware
        async def timing(request, response, next_handler):  # type: ignore[no-untyped-def]
            await next_handler()  # the result is not used: what next_handler produced is sent
            timings.append(request.path)

    app.state.timings = timings
    return app


@pytest.mark.parametrize("use_result", [True, False], ids=["returns-next-result", "ignores-next-result"])
async def test_seed_example_serves_users_and_json_post(client_for: Any, use_result: bool) -> None:
    app = _seed_app(use_result)
    async with client_for(app) as client:
        user = await client.get("/users/42")
        not_int = await client.get("/users/abc")
        created = await client.post("/api/data", json={"name": "Ada", "tags": ["x"]})
        wrong_method = await client.get("/api/data")
    assert user.status_code == 200
    assert user.json() == {"user_id": 42}
    assert not_int.status_code == 404
    assert created.status_code == 200
    assert created.json() == {"status": "success", "data": {"name": "Ada", "tags": ["x"]}}
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "OPTIONS, POST"
    # The middleware ran for every request, the 404 and 405 included.
    assert app.state.timings == ["/users/42", "/users/abc", "/api/data", "/api/data"]


@pytest.mark.parametrize("use_result", [True, False], ids=["returns-next-result", "ignores-next-result"])
async def test_seed_example_bad_json_is_400_not_500(client_for: Any, use_result: bool) -> None:
    app = _seed_app(use_result)
    async with client_for(app) as client:
        answer = await client.post(
            "/api/data", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert answer.status_code == 400


async def test_middleware_headers_reach_the_client_either_way(client_for: Any) -> None:
    app = get_application()

    @app.get("/users/{user_id:int}")
    async def get_user(request, response, user_id: int):  # type: ignore[no-untyped-def]
        return {"user_id": user_id}

    @app.middleware
    async def stamp(request, response, next_handler):  # type: ignore[no-untyped-def]
        result = await next_handler()
        result.headers["x-process-time"] = "0"
        return result

    @app.middleware
    async def builder_header(request, response, next_handler):  # type: ignore[no-untyped-def]
        response.set_header("x-from-builder", "1")
        await next_handler()

    async with client_for(app) as client:
        answer = await client.get("/users/1")
    assert answer.json() == {"user_id": 1}
    assert answer.headers["x-process-time"] == "0"
    assert answer.headers["x-from-builder"] == "1"
