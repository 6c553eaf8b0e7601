"""The trailing-slash rule: exact matches first, otherwise a relative 307 to the other spelling."""

from __future__ import annotations

from typing import Any

import pytest

from nexios import NexiosApp

pytestmark = pytest.mark.anyio


def _app(**options: Any) -> NexiosApp:
    app = NexiosApp(**options)

    @app.get("/items")
    async def items(request: Any, response: Any) -> Any:
        return {"route": "items"}

    @app.get("/folder/")
    async def folder(request: Any, response: Any) -> Any:
        return {"route": "folder"}

    @app.post("/users/{name}")
    async def create_user(request: Any, response: Any, name: str) -> Any:
        return {"route": "create_user", "name": name, "body": await request.json}

    @app.get("/both")
    async def both_plain(request: Any, response: Any) -> Any:
        return {"route": "both_plain"}

    @app.get("/both/")
    async def both_slash(request: Any, response: Any) -> Any:
        return {"route": "both_slash"}

    return app


async def test_exact_spelling_is_served_without_redirect(client_for: Any) -> None:
    async with client_for(_app()) as client:
        plain = await client.get("/both")
        slash = await client.get("/both/")
        folder = await client.get("/folder/")
    assert plain.json() == {"route": "both_plain"}
    assert slash.json() == {"route": "both_slash"}
    assert folder.json() == {"route": "folder"}


async def test_extra_trailing_slash_redirects_307_to_the_route(client_for: Any) -> None:
    async with client_for(_app()) as client:
        answer = await client.get("/items/")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/items"


async def test_missing_trailing_slash_redirects_307_to_the_route(client_for: Any) -> None:
    async with client_for(_app()) as client:
        answer = await client.get("/folder")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/folder/"


async def test_redirect_keeps_the_query_string(client_for: Any) -> None:
    async with client_for(_app()) as client:
        answer = await client.get("/items/?page=2&sort=name%20asc")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/items?page=2&sort=name%20asc"


async def test_redirect_is_307_so_a_post_body_is_resent(client_for: Any) -> None:
    async with client_for(_app()) as client:
        first = await client.post("/users/ann/", json={"age": 3})
        followed = await client.post("/users/ann/", json={"age": 3}, follow_redirects=True)
    assert first.status_code == 307
    assert first.headers["location"] == "/users/ann"
    assert followed.json() == {"route": "create_user", "name": "ann", "body": {"age": 3}}


async def test_no_redirect_when_the_other_spelling_does_not_serve_the_method(client_for: Any) -> None:
    async with client_for(_app()) as client:
        answer = await client.get("/users/ann/")  # /users/{name} only takes POST
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["//evil.com/", "//evil.com", "///evil.com/", "/\\evil.com/", "/%5Cevil.com/", "/%2F%2Fevil.com/",
     "/%09/evil.com/", "/%5C%5Cevil.com/"],
)
async def test_redirect_never_points_off_site(client_for: Any, path: str) -> None:
    app = NexiosApp()

    @app.get("/{name}")
    async def by_name(request: Any, response: Any, name: str) -> Any:
        return {"name": name}

    @app.get("/{a}/{b}")
    async def pair(request: Any, response: Any, a: str, b: str) -> Any:
        return {"a": a, "b": b}

    async with client_for(app) as client:
        answer = await client.get(path)
    assert answer.status_code in (200, 307, 404)
    location = answer.headers.get("location")
    if location is not None:
        # Relative to this host: one leading slash, never "//" or a backslash browsers treat as "/".
        assert location.startswith("/")
        assert not location.startswith("//")
        assert "\\" not in location and "\t" not in location


async def test_redirect_location_is_percent_encoded_ascii(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/{name}")
    async def by_name(request: Any, response: Any, name: str) -> Any:
        return {"name": name}

    async with client_for(app) as client:
        unicode_answer = await client.get("/日本/")
        question = await client.get("/a%3Fb/")
        followed = await client.get("/caf%C3%A9%20x/", follow_redirects=True)
    assert unicode_answer.status_code == 307
    assert unicode_answer.headers["location"] == "/%E6%97%A5%E6%9C%AC"
    # An encoded "?" stays part of the path instead of starting a query.
    assert question.headers["location"] == "/a%3Fb"
    assert followed.json() == {"name": "café x"}


async def test_redirect_slashes_false_gives_404(client_for: Any) -> None:
    async with client_for(_app(redirect_slashes=False)) as client:
        extra = await client.get("/items/")
        missing = await client.get("/folder")
    assert extra.status_code == 404
    assert missing.status_code == 404


async def test_redirect_under_a_mount_keeps_the_mount_prefix(client_for: Any) -> None:
    inner = _app()
    outer = NexiosApp()
    outer.register(inner, prefix="/v1")
    async with client_for(outer) as client:
        answer = await client.get("/v1/items/?q=1")
        followed = await client.get("/v1/folder", follow_redirects=True)
    assert answer.status_code == 307
    assert answer.headers["location"] == "/v1/items?q=1"
    assert followed.json() == {"route": "folder"}


async def test_root_path_is_not_redirected(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/")
    async def home(request: Any, response: Any) -> Any:
        return {"route": "home"}

    async with client_for(app) as client:
        answer = await client.get("/")
    assert answer.json() == {"route": "home"}


async def test_slash_redirect_only_points_at_a_route_serving_the_method(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/items")
    async def items(request: Any, response: Any) -> Any:
        return []

    async with client_for(app) as client:
        get = await client.get("/items/", follow_redirects=False)
        delete = await client.delete("/items/", follow_redirects=False)
    assert get.status_code == 307
    assert get.headers["location"] == "/items"
    # Redirecting would only lead to a 405: the path with the slash does not exist for DELETE.
    assert delete.status_code == 404
