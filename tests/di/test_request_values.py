"""Typed request values: query, header, cookie and path parameters, and the 422 body."""

from __future__ import annotations

import enum
import uuid
from typing import Any, Literal

from nexios import Depend, Router, get_application
from nexios.dependencies import Cookie, Header, Path, Query
from nexios.testclient import TestClient


# ----------------------------------------------------------------------------- query
def _query_app() -> Any:
    app = get_application()

    @app.get("/search")
    async def search(
        request: Any,
        response: Any,
        term: str,  # plain annotation, no default: a required query parameter
        limit: int = Query(10, ge=1, le=100),
        offset: int = 0,
        ratio: float = 1.0,
        exact: bool = False,
        ids: list[int] = Query([]),
        cursor: int | None = None,
        tag: str | None = Query(None, max_length=5),
        order_by: str = Query("name", alias="order-by", pattern="^(name|date)$"),
    ) -> Any:
        return {"term": term, "limit": limit, "offset": offset, "ratio": ratio, "exact": exact,
                "ids": ids, "cursor": cursor, "tag": tag, "order_by": order_by}

    return app


def test_query_defaults_apply_when_absent() -> None:
    reply = TestClient(_query_app()).get("/search?term=x")
    assert reply.status_code == 200
    assert reply.json() == {"term": "x", "limit": 10, "offset": 0, "ratio": 1.0, "exact": False,
                            "ids": [], "cursor": None, "tag": None, "order_by": "name"}


def test_query_values_are_converted() -> None:
    reply = TestClient(_query_app()).get(
        "/search?term=x&limit=5&offset=20&ratio=0.5&exact=true&ids=1&ids=2&ids=3&cursor=7&tag=ab&order-by=date"
    )
    assert reply.status_code == 200
    assert reply.json() == {"term": "x", "limit": 5, "offset": 20, "ratio": 0.5, "exact": True,
                            "ids": [1, 2, 3], "cursor": 7, "tag": "ab", "order_by": "date"}


def test_default_lists_are_not_shared_between_requests() -> None:
    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, ids: list[int] = Query([])) -> Any:
        ids.append(0)
        return ids

    client = TestClient(app)
    assert client.get("/").json() == [0]
    assert client.get("/").json() == [0]


def test_missing_required_query_parameter_is_422() -> None:
    reply = TestClient(_query_app()).get("/search")
    assert reply.status_code == 422
    assert reply.json() == {"detail": [{"loc": ["query", "term"], "msg": "Field required", "type": "missing"}]}


def test_query_constraints_are_enforced() -> None:
    client = TestClient(_query_app())
    too_small = client.get("/search?term=x&limit=0")
    assert too_small.status_code == 422
    [error] = too_small.json()["detail"]
    assert error["loc"] == ["query", "limit"]
    assert error["type"] == "greater_than_equal"
    assert "1" in error["msg"]

    [error] = client.get("/search?term=x&limit=101").json()["detail"]
    assert error["type"] == "less_than_equal"
    [error] = client.get("/search?term=x&tag=toolong").json()["detail"]
    assert error["loc"] == ["query", "tag"] and error["type"] == "string_too_long"
    [error] = client.get("/search?term=x&order-by=size").json()["detail"]
    assert error["loc"] == ["query", "order-by"] and error["type"] == "string_pattern_mismatch"
    # The alias is the wire name: the Python name is not read.
    assert client.get("/search?term=x&order_by=size").json()["order_by"] == "name"


def test_bad_list_item_is_reported_with_its_index() -> None:
    reply = TestClient(_query_app()).get("/search?term=x&ids=1&ids=two&ids=3")
    assert reply.status_code == 422
    [error] = reply.json()["detail"]
    assert error["loc"] == ["query", "ids", 1]
    assert error["type"] == "int_parsing"


def test_every_failing_field_is_listed_in_the_422_body() -> None:
    reply = TestClient(_query_app()).get("/search?limit=abc&offset=1.5&ratio=nan&exact=maybe&cursor=x")
    assert reply.status_code == 422
    assert reply.headers["content-type"].startswith("application/json")
    detail = reply.json()["detail"]
    assert {tuple(e["loc"]) for e in detail} == {
        ("query", "term"), ("query", "limit"), ("query", "offset"), ("query", "ratio"),
        ("query", "exact"), ("query", "cursor"),
    }
    for error in detail:
        assert set(error) == {"loc", "msg", "type"}
        assert isinstance(error["msg"], str) and error["msg"]
        assert isinstance(error["type"], str) and error["type"]
    by_field = {e["loc"][1]: e["type"] for e in detail}
    assert by_field["term"] == "missing"
    assert by_field["offset"] == "int_parsing"
    assert by_field["ratio"] == "float_parsing"
    assert by_field["exact"] == "bool_parsing"


def test_invalid_value_is_not_echoed_back() -> None:
    reply = TestClient(_query_app()).get("/search?term=x&limit=SECRET-VALUE")
    assert reply.status_code == 422
    assert "SECRET-VALUE" not in reply.text


class Colour(str, enum.Enum):
    red = "red"
    blue = "blue"


def test_enum_literal_and_uuid_query_parameters() -> None:
    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, colour: Colour, size: Literal["s", "m"] = "s",
                      ref: uuid.UUID | None = None) -> Any:
        return {"colour": colour.value, "size": size, "ref": str(ref) if ref else None}

    client = TestClient(app)
    ref = uuid.uuid4()
    assert client.get(f"/?colour=blue&size=m&ref={ref}").json() == {"colour": "blue", "size": "m", "ref": str(ref)}
    reply = client.get("/?colour=green&size=xl&ref=nope")
    assert reply.status_code == 422
    assert [e["loc"] for e in reply.json()["detail"]] == [["query", "colour"], ["query", "size"], ["query", "ref"]]


def test_dependency_reads_query_values_too() -> None:
    app = get_application()

    def pagination(page: int = Query(1, ge=1), size: int = Query(20, le=50)) -> tuple[int, int]:
        return page, size

    @app.get("/")
    async def handler(request: Any, response: Any, pages: tuple[int, int] = Depend(pagination),
                      q: str = "") -> Any:
        return {"pages": list(pages), "q": q}

    client = TestClient(app)
    assert client.get("/?page=2&q=z").json() == {"pages": [2, 20], "q": "z"}
    reply = client.get("/?page=0&size=99")
    assert reply.status_code == 422
    assert [e["loc"] for e in reply.json()["detail"]] == [["query", "page"], ["query", "size"]]


# ----------------------------------------------------------------------------- headers and cookies
def test_headers_convert_underscores_and_honour_alias() -> None:
    app = get_application()

    @app.get("/")
    async def handler(
        request: Any,
        response: Any,
        user_agent: str = Header(),
        x_request_count: int = Header(1, ge=1),
        token: str | None = Header(None, alias="X-Api-Token"),
        raw_name: str | None = Header(None, convert_underscores=False),
        x_tag: list[str] = Header([]),
    ) -> Any:
        return {"ua": user_agent, "count": x_request_count, "token": token, "raw": raw_name, "tags": x_tag}

    client = TestClient(app)
    reply = client.get("/", headers=[("User-Agent", "probe/1"), ("X-Request-Count", "3"), ("x-api-token", "t"),
                                     ("raw_name", "r"), ("X-Tag", "a"), ("X-Tag", "b")])
    assert reply.json() == {"ua": "probe/1", "count": 3, "token": "t", "raw": "r", "tags": ["a", "b"]}
    # Without underscore conversion the hyphenated name is not read.
    assert client.get("/", headers={"raw-name": "r"}).json()["raw"] is None

    bad = client.get("/", headers={"X-Request-Count": "0"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["header", "x-request-count"]


def test_missing_required_header_is_422() -> None:
    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, x_token: str = Header()) -> Any:
        return x_token

    reply = TestClient(app).get("/")
    assert reply.status_code == 422
    assert reply.json()["detail"] == [{"loc": ["header", "x-token"], "msg": "Field required", "type": "missing"}]


def test_cookies_are_read_and_validated() -> None:
    app = get_application()

    @app.get("/")
    async def handler(request: Any, response: Any, session_id: str = Cookie(),
                      visits: int = Cookie(0, ge=0), theme: str = Cookie("light", alias="ui-theme")) -> Any:
        return {"session": session_id, "visits": visits, "theme": theme}

    client = TestClient(app)
    reply = client.get("/", headers={"Cookie": "session_id=abc; visits=4; ui-theme=dark"})
    assert reply.json() == {"session": "abc", "visits": 4, "theme": "dark"}
    reply = client.get("/", headers={"Cookie": "visits=-1"})
    assert reply.status_code == 422
    assert {tuple(e["loc"]) for e in reply.json()["detail"]} == {("cookie", "session_id"), ("cookie", "visits")}


# ----------------------------------------------------------------------------- path
def test_path_parameter_with_converter_and_constraint() -> None:
    app = get_application()

    @app.get("/items/{item_id:int}")
    async def typed(request: Any, response: Any, item_id: int = Path(ge=1)) -> Any:
        return {"id": item_id}

    @app.get("/things/{thing_id}")
    async def untyped(request: Any, response: Any, thing_id: int = Path(ge=1, le=1000)) -> Any:
        return {"id": thing_id}

    @app.get("/plain/{number}")
    async def plain(request: Any, response: Any, number: int) -> Any:
        return {"n": number, "type": type(number).__name__}

    client = TestClient(app)
    assert client.get("/items/5").json() == {"id": 5}
    reply = client.get("/items/0")
    assert reply.status_code == 422
    [error] = reply.json()["detail"]
    assert error["loc"] == ["path", "item_id"] and error["type"] == "greater_than_equal"

    assert client.get("/things/12").json() == {"id": 12}
    [error] = client.get("/things/abc").json()["detail"]
    assert error["loc"] == ["path", "thing_id"] and error["type"] == "int_parsing"
    [error] = client.get("/things/1001").json()["detail"]
    assert error["type"] == "less_than_equal"

    assert client.get("/plain/42").json() == {"n": 42, "type": "int"}
    assert client.get("/plain/x").status_code == 422


def test_path_alias() -> None:
    app = get_application()

    @app.get("/users/{uid}")
    async def handler(request: Any, response: Any, user_id: str = Path(alias="uid", min_length=2)) -> Any:
        return user_id

    client = TestClient(app)
    assert client.get("/users/ab").text == "ab"
    assert client.get("/users/a").json()["detail"][0]["loc"] == ["path", "uid"]


def test_path_query_header_and_cookie_errors_are_all_listed_together() -> None:
    app = get_application()

    @app.get("/orders/{order_id}")
    async def handler(request: Any, response: Any, order_id: int, page: int = Query(),
                      x_version: int = Header(), tracking: int = Cookie()) -> Any:
        return "never"

    reply = TestClient(app).get("/orders/abc?page=x", headers={"X-Version": "v", "Cookie": "tracking=y"})
    assert reply.status_code == 422
    assert [e["loc"] for e in reply.json()["detail"]] == [
        ["path", "order_id"], ["query", "page"], ["header", "x-version"], ["cookie", "tracking"],
    ]


def test_dependency_reads_a_path_parameter() -> None:
    app = get_application()
    users = Router(prefix="/users/{user_id:int}")

    def load_user(user_id: int) -> dict[str, int]:
        return {"id": user_id}

    def owner(user: dict[str, int] = Depend(load_user), account: str = Path(min_length=3)) -> str:
        return f"{user['id']}:{account}"

    @app.get("/posts/{user_id}")
    async def posts(request: Any, response: Any, user: dict[str, int] = Depend(load_user)) -> Any:
        return user

    @users.get("/accounts/{account}")
    async def account(request: Any, response: Any, o: str = Depend(owner)) -> Any:
        return o

    app.mount_router(users)
    client = TestClient(app)
    assert client.get("/posts/7").json() == {"id": 7}
    assert client.get("/posts/x").json()["detail"][0]["loc"] == ["path", "user_id"]
    assert client.get("/users/3/accounts/main").text == "3:main"
    assert client.get("/users/3/accounts/m").json()["detail"][0]["loc"] == ["path", "account"]
