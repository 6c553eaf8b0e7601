"""A path that matches no route is remembered (a repeated 404 is found as directly as a static
route), within bounds a client cannot push, and never where the answer depends on the method,
on a mount or on a route added later."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import NexiosApp
from nexios_routing import Router

pytestmark = pytest.mark.anyio


def _known_misses(app: NexiosApp) -> dict[str, Any]:
    compiled = app.router._compiled  # the memo lives in the compiled table of the app's router
    assert compiled is not None
    return compiled.known_misses


def _app_serving_a() -> NexiosApp:
    app = NexiosApp()

    @app.get("/a")
    async def a(request: Any, response: Any) -> Any:
        return "a"

    return app


async def test_a_repeated_miss_is_a_404_for_every_method_and_is_remembered(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/exists")
    async def exists(request: Any, response: Any) -> Any:
        return "yes"

    async with client_for(app) as client:
        for method in ("GET", "POST", "HEAD", "OPTIONS", "DELETE", "GET"):
            answer = await client.request(method, "/favicon.ico")
            assert answer.status_code == 404, method
            if method != "HEAD":
                assert answer.json() == {"detail": "Not Found"}
    assert "/favicon.ico" in _known_misses(app)


async def test_a_path_served_for_another_method_stays_a_405(client_for: Any) -> None:
    app = NexiosApp()

    @app.post("/items")
    async def create(request: Any, response: Any) -> Any:
        return "created"

    async with client_for(app) as client:
        for _ in range(2):
            refused = await client.get("/items")
            assert refused.status_code == 405
            assert refused.headers["allow"] == "OPTIONS, POST"
        assert (await client.post("/items")).text == "created"
    assert "/items" not in _known_misses(app)


async def test_a_route_added_after_a_miss_answers_at_once(client_for: Any) -> None:
    app = _app_serving_a()
    async with client_for(app) as client:
        assert (await client.get("/later")).status_code == 404

        @app.get("/later")
        async def later(request: Any, response: Any) -> Any:
            return "here now"

        assert (await client.get("/later")).text == "here now"


async def test_a_404_handler_added_after_start_up_answers_remembered_misses(client_for: Any) -> None:
    app = _app_serving_a()
    async with client_for(app) as client:
        assert (await client.get("/gone")).json() == {"detail": "Not Found"}
        assert (await client.get("/gone")).json() == {"detail": "Not Found"}

        async def custom(request: Any, response: Any, exc: Exception) -> Any:
            return response.json({"missing": request.path}, status_code=404)

        app.add_exception_handler(404, custom)
        answer = await client.get("/gone")
    assert answer.status_code == 404
    assert answer.json() == {"missing": "/gone"}


async def test_slash_redirects_and_mounts_are_not_remembered_as_misses(client_for: Any) -> None:
    app = NexiosApp()
    api = Router(prefix="/api")

    @api.get("/users/")
    async def users(request: Any, response: Any) -> Any:
        return "users"

    app.mount_router(api)

    async with client_for(app) as client:
        for _ in range(2):
            redirect = await client.get("/api/users")
            assert redirect.status_code == 307
            assert redirect.headers["location"].endswith("/api/users/")
    assert "/api/users" not in _known_misses(app)


async def test_the_memo_is_bounded_in_entries_and_path_length(client_for: Any) -> None:
    app = _app_serving_a()
    async with client_for(app) as client:
        long_path = "/" + "x" * 300
        assert (await client.get(long_path)).status_code == 404
        assert long_path not in _known_misses(app)
        sizes = []
        for number in range(2100):  # a scanner's endless distinct paths
            assert (await client.get(f"/probe-{number}")).status_code == 404
            sizes.append(len(_known_misses(app)))
    assert max(sizes) == 1024
    assert sizes[-1] < 1024  # started afresh once full
    assert (await _still_answers(app, client_for)) == "a"


async def _still_answers(app: NexiosApp, client_for: Any) -> str:
    async with client_for(app) as client:
        return (await client.get("/a")).text
