"""JSON decoding refuses hostile input with 400 (SECURITY.md: depth, digits, NaN, surrogates,
UTF-8); encoding handles the common Python types."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexios_core import jsoncodec
from nexios_core.exceptions import BadRequest


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "payload",
    [b"NaN", b"[NaN]", b"Infinity", b"-Infinity", b'{"a": Infinity}', b"1e999", b"[-1e999]"],
)
def test_non_finite_numbers_are_refused(payload: bytes) -> None:
    with pytest.raises(BadRequest) as info:
        jsoncodec.loads(payload)
    assert info.value.status_code == 400


@pytest.mark.parametrize("payload", [b'"\\ud800"', b'{"k": "x\\udfff"}', b'["\\uDBFF"]'])
def test_lone_surrogates_are_refused(payload: bytes) -> None:
    with pytest.raises(BadRequest, match="surrogate"):
        jsoncodec.loads(payload)


def test_a_valid_surrogate_pair_is_accepted() -> None:
    assert jsoncodec.loads(b'"\\ud83d\\ude00"') == "\U0001F600"


def test_depth_limit_boundary() -> None:
    assert jsoncodec.loads(nested(1024)) is not None
    with pytest.raises(BadRequest, match="deeper than 1024"):
        jsoncodec.loads(nested(1025))
    objects = b'{"a":' * 1025 + b"1" + b"}" * 1025
    with pytest.raises(BadRequest):
        jsoncodec.loads(objects)


def test_depth_limit_is_configurable_and_ignores_brackets_in_strings() -> None:
    assert jsoncodec.loads(nested(5), max_depth=5) == [[[[[]]]]]
    with pytest.raises(BadRequest):
        jsoncodec.loads(nested(6), max_depth=5)
    # Thousands of brackets inside a string are not nesting.
    text = b'["' + b"[" * 5000 + b'"]'
    assert jsoncodec.loads(text, max_depth=5) == ["[" * 5000]


def test_very_deep_json_never_raises_recursion_error() -> None:
    with pytest.raises(BadRequest):
        jsoncodec.loads(nested(100_000), max_depth=10**9)


def test_integer_digit_boundary() -> None:
    assert jsoncodec.loads(b"9" * 4300) == int("9" * 4300)
    with pytest.raises(BadRequest) as info:
        jsoncodec.loads(b"9" * 4301)
    assert info.value.status_code == 400
    with pytest.raises(BadRequest):
        jsoncodec.loads(b'{"n": -' + b"1" * 4301 + b"}")


@pytest.mark.parametrize("payload", [b'"\xff"', b'{"a": "\xc3"}', b"\xfe\xff[]", b'"\xed\xa0\x80"'])
def test_invalid_utf8_is_refused(payload: bytes) -> None:
    with pytest.raises(BadRequest, match="UTF-8"):
        jsoncodec.loads(payload)


@pytest.mark.parametrize("payload", [b"", b"{", b"[1,]", b"{'a': 1}", b"tru", b"1 2"])
def test_malformed_json_is_refused(payload: bytes) -> None:
    with pytest.raises(BadRequest, match="Invalid JSON"):
        jsoncodec.loads(payload)


def test_error_detail_is_bounded() -> None:
    with pytest.raises(BadRequest) as info:
        jsoncodec.loads(b"9" * 100_000)
    assert len(str(info.value.detail)) < 300


def test_valid_documents_decode() -> None:
    assert jsoncodec.loads('{"é": [1, 2.5, true, null, "x"]}') == {"é": [1, 2.5, True, None, "x"]}
    assert jsoncodec.loads(b"1.5e308") == 1.5e308


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Pair:
    a: int
    b: str


class Model(pydantic.BaseModel):
    when: datetime.date
    tags: list[str]


def test_dumps_handles_common_types() -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    value = {
        "when": datetime.datetime(2024, 1, 2, 3, 4, 5),
        "id": ident,
        "price": decimal.Decimal("1.10"),
        "colour": Colour.RED,
        "pair": Pair(1, "x"),
        "model": Model(when=datetime.date(2024, 5, 6), tags=["a"]),
        "set": frozenset({1}),
        "tuple": (1, 2),
        "text": "é",
    }
    decoded = jsoncodec.loads(jsoncodec.dumps(value))
    assert decoded == {
        "when": "2024-01-02T03:04:05",
        "id": str(ident),
        "price": "1.10",
        "colour": "red",
        "pair": {"a": 1, "b": "x"},
        "model": {"when": "2024-05-06", "tags": ["a"]},
        "set": [1],
        "tuple": [1, 2],
        "text": "é",
    }
    assert jsoncodec.dumps({"a": 1}) == b'{"a":1}'
    assert "é".encode() in jsoncodec.dumps("é")  # UTF-8, not \\u escapes


def test_dumps_big_ints_and_refuses_unknown_objects() -> None:
    assert jsoncodec.dumps(2**80) == str(2**80).encode()
    with pytest.raises(TypeError):
        jsoncodec.dumps(object())


def test_deep_documents_within_the_limit_round_trip() -> None:
    # Regression: the C decoder and encoder count nesting against the interpreter's recursion
    # limit (1000), so depth 1024 was refused and echoing it back was a 500.
    value = jsoncodec.loads(nested(1024))
    assert jsoncodec.dumps(value) == nested(1024)
    assert jsoncodec.dumps({"data": value}) == b'{"data":' + nested(1024) + b"}"


def test_lone_surrogate_deep_inside_nesting_is_still_a_400() -> None:
    payload = b"[" * 1000 + b'"\\ud800"' + b"]" * 1000
    with pytest.raises(BadRequest, match="surrogate"):
        jsoncodec.loads(payload)


@pytest.mark.parametrize("encoder", ["orjson", "stdlib"])
def test_non_finite_floats_encode_as_null_with_or_without_orjson(encoder: str) -> None:
    dumps = jsoncodec.dumps if encoder == "orjson" else jsoncodec._dumps_stdlib
    data = {"nan": float("nan"), "inf": [float("inf"), -float("inf")], "ok": 1.5}
    assert json.loads(dumps(data)) == {"nan": None, "inf": [None, None], "ok": 1.5}


_JSON_TEXT = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-(10**40), 10**40),
        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10),
    ),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=6), children, max_size=4)),
    max_leaves=20,
).map(lambda value: json.dumps(value).encode())
_JSON_NOISE = st.one_of(
    st.binary(max_size=60),
    st.text(st.sampled_from('[]{}",:0123456789.eE+-\\u tfnrNaIy'), max_size=40).map(str.encode),
)


def _decode(loads: Any, payload: bytes) -> tuple[str, Any]:
    try:
        return "ok", loads(payload)
    except BadRequest as exc:
        return "refused", exc.detail


@settings(max_examples=300, deadline=None)
@given(payload=st.one_of(_JSON_TEXT, _JSON_NOISE))
def test_decoding_gives_the_same_result_with_or_without_orjson(payload: bytes) -> None:
    # The same body must give the same value, or the same refusal, whichever decoder runs.
    assert jsoncodec._orjson is not None  # the dev environment installs it
    with_orjson = _decode(jsoncodec.loads, payload)
    saved, jsoncodec._orjson = jsoncodec._orjson, None
    try:
        without = _decode(jsoncodec.loads, payload)
    finally:
        jsoncodec._orjson = saved
    assert with_orjson == without
    if with_orjson[0] == "ok":
        assert type(with_orjson[1]) is type(without[1])  # 10**30 stays an int, 1.0 a float
