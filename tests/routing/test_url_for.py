"""``url_for``: building paths from route names, through named and prefixed routers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from nexios import NexiosApp, Router

pytestmark = pytest.mark.anyio


def _app() -> NexiosApp:
    app = NexiosApp()

    @app.get("/users/{user_id:int}", name="user")
    async def user(request: Any, response: Any, user_id: int) -> Any:
        return {"user_id": user_id}

    @app.get("/about")
    async def about(request: Any, response: Any) -> Any:  # named after the function
        return "about"

    @app.get("/files/{rest:path}", name="file")
    async def file(request: Any, response: Any, rest: str) -> Any:
        return {"rest": rest}

    @app.get("/prices/{amount:float}", name="price")
    async def price(request: Any, response: Any, amount: float) -> Any:
        return {"amount": amount}

    @app.get("/orders/{order_id:uuid}", name="order")
    async def order(request: Any, response: Any, order_id: uuid.UUID) -> Any:
        return {"order_id": str(order_id)}

    @app.get("/tags/{tag}", name="tag")
    async def tag(request: Any, response: Any, tag: str) -> Any:
        return {"tag": tag}

    return app


def test_url_for_fills_typed_parameters() -> None:
    app = _app()
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert app.url_for("user", user_id=42) == "/users/42"
    assert app.url_for("about") == "/about"
    assert app.url_for("file", rest="css/site.css") == "/files/css/site.css"
    assert app.url_for("price", amount=2.5) == "/prices/2.5"
    assert app.url_for("order", order_id=value) == "/orders/12345678-1234-5678-1234-567812345678"


def test_url_for_refuses_missing_parameters_and_unknown_names() -> None:
    app = _app()
    with pytest.raises(ValueError, match="user_id"):
        app.url_for("user")
    with pytest.raises(KeyError):
        app.url_for("nobody")


def test_url_for_refuses_values_its_converter_cannot_route() -> None:
    app = _app()
    with pytest.raises(ValueError):
        app.url_for("user", user_id=-1)
    with pytest.raises(ValueError):
        app.url_for("tag", tag="a/b")
    with pytest.raises(ValueError):
        app.url_for("tag", tag="")
    with pytest.raises(ValueError):
        app.url_for("price", amount=float("nan"))


@pytest.mark.parametrize("amount", [1e20, 1.5e-7, 123456789.125, 0.0, 1e300, 5e-324])
async def test_url_for_float_round_trips_without_exponent(client_for: Any, amount: float) -> None:
    app = _app()
    path = app.url_for("price", amount=amount)
    assert "e" not in path.rsplit("/", 1)[1]
    async with client_for(app) as client:
        answer = await client.get(path)
    assert answer.status_code == 200, path
    assert answer.json() == {"amount": amount}


@pytest.mark.parametrize("tag", ["a b", "café", "50%", "what?", "x#y", "日本", "a+b&c=d"])
async def test_url_for_percent_encodes_so_the_path_routes_back(client_for: Any, tag: str) -> None:
    app = _app()
    path = app.url_for("tag", tag=tag)
    assert path.isascii()
    assert "?" not in path and "#" not in path and " " not in path
    async with client_for(app) as client:
        answer = await client.get(path)
    assert answer.json() == {"tag": tag}


def test_url_for_through_nested_named_routers() -> None:
    app = NexiosApp()
    api = Router(prefix="/api", name="api")
    v1 = Router(prefix="/v1", name="v1")
    anonymous = Router(prefix="/misc")

    @v1.get("/users/{id:int}", name="user")
    async def user(request: Any, response: Any, id: int) -> Any:
        return None

    @anonymous.get("/ping")
    async def ping(request: Any, response: Any) -> Any:
        return None

    api.mount_router(v1)
    api.mount_router(anonymous)
    app.mount_router(api)
    assert app.url_for("api.v1.user", id=7) == "/api/v1/users/7"
    # A router without a name adds no segment to route names.
    assert app.url_for("api.ping") == "/api/misc/ping"
    # A router can build the paths of its own subtree, relative to itself.
    assert api.url_for("v1.user", id=1) == "/api/v1/users/1"


def test_url_for_sees_routes_added_after_it_was_first_used() -> None:
    app = NexiosApp()

    @app.get("/one", name="one")
    async def one(request: Any, response: Any) -> Any:
        return None

    assert app.url_for("one") == "/one"

    @app.get("/two/{n:int}", name="two")
    async def two(request: Any, response: Any, n: int) -> Any:
        return None

    assert app.url_for("two", n=2) == "/two/2"


async def test_url_for_path_parameter_keeps_slashes_and_round_trips(client_for: Any) -> None:
    app = _app()
    path = app.url_for("file", rest="docs/read me.txt")
    assert path == "/files/docs/read%20me.txt"
    async with client_for(app) as client:
        answer = await client.get(path)
    assert answer.json() == {"rest": "docs/read me.txt"}
