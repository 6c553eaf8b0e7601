"""Random request values for typed parameters answer 2xx or 4xx, never 5xx."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from nexios import get_application
from nexios.dependencies import Cookie, Header, Path, Query
from nexios.testclient import TestClient


class Filters(BaseModel):
    name: str
    size: int


def _app() -> Any:
    app = get_application()

    @app.get("/typed/{number}")
    async def typed(
        request: Any,
        response: Any,
        number: int = Path(ge=0),
        count: int = 1,
        ratio: float = 0.0,
        flag: bool = False,
        limit: int = Query(10, ge=1, le=100),
        ids: list[int] = Query([]),
        maybe: float | None = None,
        when: datetime.date | None = None,
        ref: uuid.UUID | None = None,
        amount: Decimal | None = Query(None, max_digits=6),
        mode: Literal["a", "b"] = "a",
        word: str = Query("", max_length=8, pattern="^[a-z]*$"),
        x_count: int = Header(0),
        visits: int = Cookie(0),
    ) -> Any:
        return "ok"

    @app.post("/body")
    async def body(request: Any, response: Any, filters: Filters) -> Any:
        return "ok"

    return app


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(_app(), raise_server_exceptions=False) as test_client:
        yield test_client


_NAMES = ["count", "ratio", "flag", "limit", "ids", "maybe", "when", "ref", "amount", "mode", "word"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(_NAMES), st.lists(st.text(max_size=40), min_size=1, max_size=3)),
       number=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and s not in (".", "..")),
       header=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30),
       cookie=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=';,"\\'),
                      max_size=30))
def test_random_query_path_header_and_cookie_values_never_give_5xx(
    client: TestClient, values: dict[str, list[str]], number: str, header: str, cookie: str,
) -> None:
    params = [(name, value) for name, items in values.items() for value in items]
    reply = client.get(f"/typed/{quote(number, safe='')}", params=params,
                       headers={"X-Count": header.strip(), "Cookie": f"visits={cookie}"})
    assert reply.status_code < 500, reply.text
    if reply.status_code == 422:
        detail = reply.json()["detail"]
        assert detail and all(set(e) == {"loc", "msg", "type"} for e in detail)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=_JSON | st.fixed_dictionaries({"name": _JSON, "size": _JSON}))
def test_random_json_bodies_never_give_5xx(client: TestClient, payload: Any) -> None:
    reply = client.post("/body", json=payload)
    assert reply.status_code in (200, 422), reply.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=60))
def test_random_body_bytes_never_give_5xx(client: TestClient, raw: bytes) -> None:
    reply = client.post("/body", content=raw, headers={"Content-Type": "application/json"})
    assert reply.status_code in (200, 400, 422), reply.text
