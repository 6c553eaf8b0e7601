"""Path converters: what each one matches, what value the handler sees, and what is a 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from nexios import NexiosApp
from nexios_core.exceptions import ImproperlyConfigured
from nexios_routing import Router, register_converter

pytestmark = pytest.mark.anyio


def _echo_app(template: str) -> NexiosApp:
    app = NexiosApp()

    @app.get(template)
    async def echo(request: Any, response: Any) -> Any:
        return {k: [type(v).__name__, str(v)] for k, v in request.path_params.items()}

    return app


async def test_int_parameter_is_converted_to_int(client_for: Any) -> None:
    async with client_for(_echo_app("/items/{id:int}")) as client:
        answer = await client.get("/items/42")
    assert answer.status_code == 200
    assert answer.json() == {"id": ["int", "42"]}


@pytest.mark.parametrize("path", ["/items/abc", "/items/-1", "/items/1.5", "/items/4a", "/items/%201"])
async def test_int_parameter_that_is_not_digits_is_404(client_for: Any, path: str) -> None:
    async with client_for(_echo_app("/items/{id:int}")) as client:
        answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not Found"}


async def test_int_with_more_than_4300_digits_is_404_not_500(client_for: Any) -> None:
    # SECURITY.md: CPython refuses int() of more than 4300 digits; that must not escape as a 500.
    async with client_for(_echo_app("/items/{id:int}")) as client:
        too_long = await client.get("/items/" + "9" * 4301)
        longest = await client.get("/items/" + "9" * 4300)
    assert too_long.status_code == 404
    assert longest.status_code == 200
    assert longest.json()["id"] == ["int", "9" * 4300]


async def test_float_parameter_accepts_integers_and_decimals(client_for: Any) -> None:
    async with client_for(_echo_app("/price/{amount:float}")) as client:
        decimal = await client.get("/price/12.50")
        whole = await client.get("/price/3")
    assert decimal.json() == {"amount": ["float", "12.5"]}
    assert whole.json() == {"amount": ["float", "3.0"]}


@pytest.mark.parametrize("text", ["nan", "inf", "1e5", "-1.0", "1.", ".5", "abc"])
async def test_float_parameter_refuses_exponents_nan_and_signs(client_for: Any, text: str) -> None:
    async with client_for(_echo_app("/price/{amount:float}")) as client:
        answer = await client.get(f"/price/{text}")
    assert answer.status_code == 404


async def test_str_parameter_is_one_segment(client_for: Any) -> None:
    async with client_for(_echo_app("/files/{name}")) as client:
        one = await client.get("/files/report.pdf")
        two = await client.get("/files/a/b")
        explicit = await client.get("/files/caf%C3%A9")
    assert one.json() == {"name": ["str", "report.pdf"]}
    assert two.status_code == 404
    assert explicit.json() == {"name": ["str", "café"]}


async def test_path_parameter_takes_the_rest_including_slashes(client_for: Any) -> None:
    async with client_for(_echo_app("/static/{rest:path}")) as client:
        deep = await client.get("/static/css/site/main.css")
        empty = await client.get("/static/")
    assert deep.json() == {"rest": ["str", "css/site/main.css"]}
    assert empty.json() == {"rest": ["str", ""]}


async def test_uuid_parameter_becomes_uuid(client_for: Any) -> None:
    value = uuid.uuid4()
    async with client_for(_echo_app("/orders/{order_id:uuid}")) as client:
        good = await client.get(f"/orders/{value}")
        upper = await client.get(f"/orders/{str(value).upper()}")
        bad = await client.get("/orders/not-a-uuid")
    assert good.json() == {"order_id": ["UUID", str(value)]}
    assert upper.json() == {"order_id": ["UUID", str(value)]}
    assert bad.status_code == 404


async def test_several_parameters_in_one_segment(client_for: Any) -> None:
    async with client_for(_echo_app("/files/{stem}.{ext}")) as client:
        answer = await client.get("/files/archive.tar")
    assert answer.json() == {"stem": ["str", "archive"], "ext": ["str", "tar"]}


class _YearMonth:
    """A custom converter: ``2024-05`` becomes ``(2024, 5)``."""

    regex = "[0-9]{4}-[0-9]{2}"

    def convert(self, value: str) -> tuple[int, int]:
        year, month = value.split("-")
        if not 1 <= int(month) <= 12:
            raise ValueError("month out of range")
        return int(year), int(month)

    def to_string(self, value: tuple[int, int]) -> str:
        return f"{value[0]:04d}-{value[1]:02d}"


async def test_custom_converter_registered_by_name_converts_and_formats(client_for: Any) -> None:
    register_converter("yearmonth_conv_test", _YearMonth())
    app = NexiosApp()

    @app.get("/archive/{period:yearmonth_conv_test}", name="archive")
    async def archive(request: Any, response: Any, period: Any) -> Any:
        return {"year": period[0], "month": period[1]}

    async with client_for(app) as client:
        good = await client.get("/archive/2024-05")
        month_13 = await client.get("/archive/2024-13")
        wrong_shape = await client.get("/archive/2024")
    assert good.json() == {"year": 2024, "month": 5}
    # convert() raising ValueError means "does not match": a 404, never a 500.
    assert month_13.status_code == 404
    assert wrong_shape.status_code == 404
    assert app.url_for("archive", period=(1999, 1)) == "/archive/1999-01"


def test_unknown_converter_fails_when_the_route_is_registered() -> None:
    router = Router()
    with pytest.raises(ImproperlyConfigured) as error:

        @router.get("/things/{thing:nonexistent}")
        async def things(request: Any, response: Any) -> None:
            return None

    message = str(error.value)
    assert "nonexistent" in message
    assert "register_converter" in message


def test_converter_names_must_be_identifiers() -> None:
    with pytest.raises(ValueError):
        register_converter("not valid", _YearMonth())


@pytest.mark.parametrize(
    "template",
    ["/a/{x", "/a/x}", "/files/{rest:path}/more", "/files/pre{rest:path}", "/a/{x}/{x}"],
)
def test_malformed_templates_fail_at_registration(template: str) -> None:
    router = Router()
    with pytest.raises(ImproperlyConfigured):
        router.add_route(template, _noop)


async def _noop(request: Any, response: Any) -> None:
    return None
