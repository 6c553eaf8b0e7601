"""How handler arguments are filled: request/response by position, path parameters by name."""

from __future__ import annotations

import enum
import uuid
from typing import Any

import pytest

from nexios import NexiosApp
from nexios_core.exceptions import ImproperlyConfigured
from nexios_routing import Router

pytestmark = pytest.mark.anyio


async def test_untyped_param_on_str_path_is_a_string(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/users/{id}")
    async def user(request: Any, response: Any, id: Any) -> Any:
        return {"id": id, "type": type(id).__name__}

    async with client_for(app) as client:
        answer = await client.get("/users/17")
    assert answer.json() == {"id": "17", "type": "str"}


async def test_annotation_converts_a_str_path_parameter(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/users/{id}")
    async def user(request: Any, response: Any, id: int) -> Any:
        return {"id": id, "type": type(id).__name__, "doubled": id * 2}

    async with client_for(app) as client:
        answer = await client.get("/users/21")
    assert answer.json() == {"id": 21, "type": "int", "doubled": 42}


async def test_non_convertible_value_answers_422_naming_the_field(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/users/{user_id}")
    async def user(request: Any, response: Any, user_id: int) -> Any:
        return {"id": user_id}

    async with client_for(app) as client:
        answer = await client.get("/users/abc")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/json")
    detail = answer.json()["detail"]
    assert detail[0]["loc"] == ["path", "user_id"]
    assert detail[0]["type"] == "int_parsing"
    assert detail[0]["msg"]  # says why, in words


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "1_0.5", " 1.5"])
async def test_float_annotation_refuses_non_finite_and_loose_numbers(client_for: Any, text: str) -> None:
    app = NexiosApp()

    @app.get("/scale/{factor}")
    async def scale(request: Any, response: Any, factor: float) -> Any:
        return {"factor": factor}

    async with client_for(app) as client:
        answer = await client.get(f"/scale/{text}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["path", "factor"]


@pytest.mark.parametrize("text", ["1_000", "%201", "%D9%A1", "1.0", "9" * 4301])
async def test_int_annotation_refuses_underscores_spaces_and_unicode_digits(
    client_for: Any, text: str
) -> None:
    app = NexiosApp()

    @app.get("/page/{number}")
    async def page(request: Any, response: Any, number: int) -> Any:
        return {"number": number}

    async with client_for(app) as client:
        answer = await client.get(f"/page/{text}")
    assert answer.status_code == 422, answer.text


async def test_int_annotation_accepts_negative_numbers_on_str_params(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/offset/{delta}")
    async def offset(request: Any, response: Any, delta: int) -> Any:
        return {"delta": delta}

    async with client_for(app) as client:
        answer = await client.get("/offset/-12")
    assert answer.json() == {"delta": -12}


async def test_float_annotation_and_typed_converter_agree(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/ratio/{value:float}")
    async def ratio(request: Any, response: Any, value: float) -> Any:
        return {"value": value}

    @app.get("/count/{value:int}")
    async def count(request: Any, response: Any, value: float) -> Any:
        # An int converter with a float annotation: the value is converted once more.
        return {"value": value, "type": type(value).__name__}

    async with client_for(app) as client:
        first = await client.get("/ratio/0.25")
        second = await client.get("/count/3")
    assert first.json() == {"value": 0.25}
    assert second.json() == {"value": 3.0, "type": "float"}


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


async def test_enum_and_uuid_and_bool_annotations(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/paint/{colour}")
    async def paint(request: Any, response: Any, colour: Colour) -> Any:
        return {"colour": colour.name}

    @app.get("/orders/{order}")
    async def order(request: Any, response: Any, order: uuid.UUID) -> Any:
        return {"version": order.version}

    @app.get("/flags/{on}")
    async def flags(request: Any, response: Any, on: bool) -> Any:
        return {"on": on}

    async with client_for(app) as client:
        red = await client.get("/paint/red")
        green = await client.get("/paint/green")
        good_uuid = await client.get(f"/orders/{uuid.uuid4()}")
        bad_uuid = await client.get("/orders/123")
        yes = await client.get("/flags/true")
        no = await client.get("/flags/0")
        maybe = await client.get("/flags/maybe")
    assert red.json() == {"colour": "RED"}
    assert green.status_code == 422
    assert good_uuid.json() == {"version": 4}
    assert bad_uuid.status_code == 422
    assert yes.json() == {"on": True}
    assert no.json() == {"on": False}
    assert maybe.status_code == 422


async def test_request_and_response_names_do_not_matter(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/short/{slug}")
    async def short(req: Any, res: Any, slug: str) -> Any:
        return res.status(201).json({"slug": slug, "path": req.path})

    @app.get("/only-request")
    async def only_request(rq: Any) -> Any:
        return {"method": rq.method}

    @app.get("/nothing")
    async def nothing() -> Any:
        return "plain"

    async with client_for(app) as client:
        first = await client.get("/short/abc")
        second = await client.get("/only-request")
        third = await client.get("/nothing")
    assert first.status_code == 201
    assert first.json() == {"slug": "abc", "path": "/short/abc"}
    assert second.json() == {"method": "GET"}
    assert third.text == "plain"


async def test_path_params_also_in_request_path_params(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/a/{x:int}/b/{y}")
    async def both(request: Any, response: Any) -> Any:
        return dict(request.path_params)

    async with client_for(app) as client:
        answer = await client.get("/a/5/b/q")
    assert answer.json() == {"x": 5, "y": "q"}


async def test_parameter_with_default_that_is_not_in_path_keeps_its_default(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/defaults/{x}")
    async def defaults(request: Any, response: Any, x: str, limit: int = 10) -> Any:
        return {"x": x, "limit": limit}

    async with client_for(app) as client:
        answer = await client.get("/defaults/q")
    assert answer.json() == {"x": "q", "limit": 10}


def test_unknown_parameter_without_default_fails_at_registration_naming_handler_and_param() -> None:
    router = Router()
    with pytest.raises(ImproperlyConfigured) as error:

        @router.get("/users/{user_id}")
        async def show_user(request: Any, response: Any, user_id: int, mystery) -> Any:  # type: ignore[no-untyped-def]
            return None

    message = str(error.value)
    assert "show_user" in message
    assert "'mystery'" in message
    assert "user_id" in message  # tells what the path does declare


def test_a_generator_handler_fails_at_registration() -> None:
    # Plain `def` handlers are fine (they run in worker threads: test_sync_handlers.py).
    router = Router()
    with pytest.raises(ImproperlyConfigured) as error:

        @router.get("/rows")
        def rows_handler(request: Any, response: Any) -> Any:
            yield None

    assert "rows_handler" in str(error.value)
    assert "generator" in str(error.value)


def test_annotation_that_cannot_convert_fails_at_registration() -> None:
    router = Router()
    with pytest.raises(ImproperlyConfigured) as error:

        @router.get("/things/{thing}")
        async def things(request: Any, response: Any, thing: list[int]) -> Any:
            return None

    assert "thing" in str(error.value)


def _handler_with_unresolvable_annotation() -> Any:
    # Under `from __future__ import annotations`, a class defined inside a function is only a
    # string to typing.get_type_hints: it cannot be resolved from the module's globals.
    class LocalModel:
        pass

    async def item(request: Any, response: Any, item_id: int, extra: LocalModel | None = None) -> Any:
        return {"item_id": item_id, "type": type(item_id).__name__}

    return item


def test_unresolvable_annotation_fails_at_registration_naming_the_parameter() -> None:
    # Guessing would turn `extra` into a query string parameter by accident; saying so at
    # registration lets the author move the class to module level.
    app = NexiosApp()
    with pytest.raises(ImproperlyConfigured) as error:
        app.add_route("/items/{item_id}", _handler_with_unresolvable_annotation())
    assert "'extra'" in str(error.value)
    assert "LocalModel" in str(error.value)


async def test_handler_may_return_any_documented_kind(client_for: Any) -> None:
    app = NexiosApp()

    @app.get("/dict")
    async def as_dict(request: Any, response: Any) -> Any:
        return {"a": 1}

    @app.get("/list")
    async def as_list(request: Any, response: Any) -> Any:
        return [1, 2]

    @app.get("/bytes")
    async def as_bytes(request: Any, response: Any) -> Any:
        return b"\x00\x01"

    @app.get("/none")
    async def as_none(request: Any, response: Any) -> Any:
        response.set_header("x-kept", "yes")
        return None

    async with client_for(app) as client:
        d = await client.get("/dict")
        lst = await client.get("/list")
        b = await client.get("/bytes")
        n = await client.get("/none")
    assert d.json() == {"a": 1}
    assert lst.json() == [1, 2]
    assert b.content == b"\x00\x01"
    assert b.headers["content-type"] == "application/octet-stream"
    assert n.status_code == 200
    assert n.content == b""
    assert n.headers["x-kept"] == "yes"
