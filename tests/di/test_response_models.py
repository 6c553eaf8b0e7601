"""Response models: what a handler returns is validated and filtered by its response model
(``response_model=`` or a model return annotation), unless ``validate_response=False``; a value
that does not fit is a logged 500 that leaks nothing; routes without a model pay nothing."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from nexios import Router, get_application
from nexios.auth import AuthenticationMiddleware, SimpleUser, auth
from nexios.auth.backends.apikey import APIKeyAuthBackend
from nexios.testclient import TestClient
from nexios_core.exceptions import ImproperlyConfigured
from nexios_di.response_model import ResponseValidationError, names_a_model, response_model_for
from nexios_routing import Route


class PublicUser(BaseModel):
    id: int
    name: str


class StoredUser(PublicUser):
    password_hash: str


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Totals(TypedDict):
    count: int


class Row:
    """An ORM-like object: attributes, not a mapping."""

    def __init__(self) -> None:
        self.id = 7
        self.name = "row"
        self.password_hash = "secret"


def client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_returned_data_is_filtered_to_the_model_fields() -> None:
    app = get_application()

    @app.get("/me")
    async def me(request: Any, response: Any) -> PublicUser:
        return StoredUser(id=1, name="ada", password_hash="secret")  # a richer model

    @app.get("/dict", response_model=PublicUser)
    async def from_dict(request: Any, response: Any) -> dict[str, Any]:
        return {"id": "2", "name": "bob", "password_hash": "secret"}

    @app.get("/row", response_model=PublicUser)
    async def from_row(request: Any, response: Any) -> Any:
        return Row()

    @app.get("/many")
    async def many(request: Any, response: Any) -> list[PublicUser]:
        return [StoredUser(id=i, name=str(i), password_hash="x") for i in range(2)]  # type: ignore[misc]

    http = client(app)
    assert http.get("/me").json() == {"id": 1, "name": "ada"}
    assert http.get("/dict").json() == {"id": 2, "name": "bob"}  # coerced as declared
    assert http.get("/row").json() == {"id": 7, "name": "row"}
    assert http.get("/many").json() == [{"id": 0, "name": "0"}, {"id": 1, "name": "1"}]


def test_dataclasses_typed_dicts_and_optional_models() -> None:
    app = get_application()

    @app.get("/point")
    async def point(request: Any, response: Any) -> Point:
        return {"x": "1", "y": 2, "z": 3}  # type: ignore[return-value]

    @app.get("/totals")
    async def totals(request: Any, response: Any) -> Totals:
        return {"count": 3, "extra": True}  # type: ignore[typeddict-unknown-key]

    @app.get("/maybe")
    async def maybe(request: Any, response: Any) -> PublicUser | None:
        return None

    http = client(app)
    assert http.get("/point").json() == {"x": 1, "y": 2}
    assert http.get("/totals").json() == {"count": 3}
    answer = http.get("/maybe")
    assert (answer.status_code, answer.content) == (200, b"")


def test_a_value_the_model_refuses_is_a_plain_500_and_a_logged_error(caplog: pytest.LogCaptureFixture) -> None:
    app = get_application()

    @app.get("/broken")
    async def broken(request: Any, response: Any) -> PublicUser:
        return {"id": "not a number", "name": "x", "password_hash": "hunter2"}  # type: ignore[return-value]

    with caplog.at_level(logging.ERROR):
        answer = client(app).get("/broken")
    assert answer.status_code == 500
    assert "hunter2" not in answer.text and "not a number" not in answer.text
    assert set(answer.json()) == {"detail", "request_id"}
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "ResponseValidationError" in logged and "id: Input should be a valid integer" in logged
    assert "not a number" not in logged and "hunter2" not in logged  # values never logged either


def test_responses_and_none_pass_through_untouched() -> None:
    app = get_application()

    @app.get("/builder", response_model=PublicUser)
    async def builder(request: Any, response: Any) -> Any:
        return response.json({"anything": "goes"}, status_code=202)

    @app.get("/filled", response_model=PublicUser)
    async def filled(request: Any, response: Any) -> None:
        response.text("written by hand")

    http = client(app)
    answer = http.get("/builder")
    assert (answer.status_code, answer.json()) == (202, {"anything": "goes"})
    assert http.get("/filled").text == "written by hand"


def test_validate_response_false_sends_what_the_handler_returns() -> None:
    app = get_application()

    @app.get("/fast", validate_response=False)
    async def fast(request: Any, response: Any) -> PublicUser:
        return {"id": "x", "extra": 1}  # type: ignore[return-value]

    assert client(app).get("/fast").json() == {"id": "x", "extra": 1}
    [route] = [r for r in app.routes if r.path == "/fast"]
    assert route.response_model is PublicUser and route.response_validator is None


def test_plain_annotations_are_not_response_models() -> None:
    async def handler(request: Any, response: Any) -> dict[str, int]:
        return {"a": "not checked"}  # type: ignore[dict-item]

    assert response_model_for(handler) is None
    assert not names_a_model(dict[str, int]) and not names_a_model(str) and not names_a_model(Any)
    assert names_a_model(list[PublicUser]) and names_a_model(dict[str, Point]) and names_a_model(Totals | None)
    app = get_application()
    app.add_route("/plain", handler)
    assert client(app).get("/plain").json() == {"a": "not checked"}


def test_routes_without_a_model_get_their_handler_as_endpoint() -> None:
    router = Router()

    @router.get("/plain")
    async def plain(request: Any, response: Any) -> dict[str, int]:
        return {}

    @router.get("/modelled")
    async def modelled(request: Any, response: Any) -> PublicUser:
        return PublicUser(id=1, name="x")

    router.prepare()
    plain_endpoint = router.lookup({"type": "http", "method": "GET", "path": "/plain", "headers": []})
    modelled_endpoint = router.lookup({"type": "http", "method": "GET", "path": "/modelled", "headers": []})
    assert plain_endpoint is plain  # no wrapper, no cost
    assert modelled_endpoint is not modelled


def test_a_model_pydantic_cannot_handle_fails_at_registration() -> None:
    class NotAType:
        pass

    async def handler(request: Any, response: Any) -> Any:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"response_model=.*handler.* is not a type pydantic can validate"):
        Route("/x", handler, response_model=NotAType())


def test_guards_run_before_and_models_apply_after_decorators() -> None:
    app = get_application()
    app.add_middleware(AuthenticationMiddleware(backend=APIKeyAuthBackend(keys={"k": SimpleUser("u")})))

    @app.get("/guarded")
    @auth()
    async def guarded(request: Any, response: Any) -> PublicUser:
        return StoredUser(id=3, name="u", password_hash="x")

    http = client(app)
    assert http.get("/guarded").status_code == 401
    assert http.get("/guarded", headers={"x-api-key": "k"}).json() == {"id": 3, "name": "u"}


def test_the_error_names_the_handler_and_fields() -> None:
    error = ResponseValidationError("app.handler", [{"loc": ("items", 0, "id"), "msg": "bad"}])
    assert str(error) == "app.handler returned a value its response model refuses: items.0.id: bad"
