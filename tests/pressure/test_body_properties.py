"""Property tests (issue 5) for request bodies through a whole app: JSON and forms (multipart and
urlencoded), delivered by the "server" in chunks of random sizes.

* Any JSON value the standard library can write comes back equal from an echo endpoint.
* Any bytes posted as JSON or as a form get a 2xx or a 4xx answer, never a 5xx, and the 4xx is the
  small JSON error body.
* A well-formed multipart form comes back field for field and byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexios import get_application
from nexios_core.datastructures import UploadFile
from nexios_core.limits import Limits
from nexios_core.request import Request
from nexios_core.responses import Response
from tests.pressure.asgi_driver import Answer, call, split

BOUNDARY = "pRoPeRtY-7f3a"


def _body_app() -> Any:
    # Small limits keep the "over a limit" cases within reach of the generated bodies.
    app = get_application(limits=Limits(max_body_size=4096, max_multipart_size=8192, max_form_parts=12,
                                        max_files=4, max_part_size=512, max_form_fields=12, max_json_depth=24))

    @app.post("/json")
    async def echo_json(request: Request, response: Response) -> Any:
        return {"value": await request.json}

    @app.post("/form")
    async def echo_form(request: Request, response: Response) -> Any:
        form = await request.form
        items: list[Any] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                items.append([name, "file", value.filename, hashlib.sha256(content).hexdigest()])
            else:
                items.append([name, "field", value])
        return {"items": items}

    return app


_APP = _body_app()


def post(path: str, content_type: str, body: bytes, cuts: list[int]) -> Answer:
    headers = [(b"content-type", content_type.encode("latin-1")),
               (b"content-length", str(len(body)).encode())]
    return anyio.run(lambda: call(_APP, "POST", path, headers=headers, chunks=split(body, cuts)))


def assert_client_error_shape(answer: Answer) -> None:
    assert 400 <= answer.status < 500, (answer.status, answer.body)
    assert answer.header(b"content-type") == b"application/json"
    assert isinstance(json.loads(answer.body)["detail"], (str, list))


_CUTS = st.lists(st.integers(0, 10_000), max_size=6)

# ------------------------------------------------------------------ JSON
_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
)
_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_JSON_VALUES, cuts=_CUTS, ensure_ascii=st.booleans())
def test_any_json_value_comes_back_equal(value: Any, cuts: list[int], ensure_ascii: bool) -> None:
    body = json.dumps(value, ensure_ascii=ensure_ascii).encode("utf-8")
    answer = post("/json", "application/json", body, cuts)
    if len(body) > 4096:
        assert answer.status == 413
        return
    assert answer.status == 200, answer.body
    echoed = json.loads(answer.body)["value"]
    assert echoed == value or (isinstance(value, float) and math.isclose(echoed, value))


_JSON_NOISE = st.lists(
    st.sampled_from([b"[", b"]", b"{", b"}", b'"', b"\\", b"\\u", b"d800", b"0", b"-", b"1e999", b"NaN", b"Infinity",
                     b":", b",", b"true", b"nul", b"\xff", b"\xc3", b" ", b"9" * 5000, b'"a"', b"\x00"]),
    max_size=60,
).map(b"".join)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=300), _JSON_NOISE), cuts=_CUTS)
def test_any_bytes_posted_as_json_get_200_or_a_4xx(body: bytes, cuts: list[int]) -> None:
    answer = post("/json", "application/json", body, cuts)
    if answer.status != 200:
        assert_client_error_shape(answer)


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, 200), kind=st.sampled_from([(b"[", b"]"), (b'{"k":', b"}")]))
def test_json_nesting_is_accepted_up_to_the_limit_and_a_400_beyond(depth: int, kind: tuple[bytes, bytes]) -> None:
    opening, closing = kind
    answer = post("/json", "application/json", opening * depth + b"0" + closing * depth, [])
    assert answer.status == (200 if depth <= 24 else 400), answer.body


# ------------------------------------------------------------------ forms
_NAME = st.text(st.characters(codec="utf-8", exclude_characters='"\\', exclude_categories=("Cc", "Cs")), max_size=10)
_VALUE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_FIELD = st.tuples(st.just("field"), _NAME, _VALUE)
_FILE = st.tuples(st.just("file"), _NAME, st.binary(max_size=300))


def multipart_body(parts: list[tuple[str, str, Any]]) -> bytes:
    chunks = []
    for kind, name, value in parts:
        if kind == "field":
            chunks.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                          + value.encode() + b"\r\n")
        else:
            chunks.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="f.bin"\r\n'
                          "Content-Type: application/octet-stream\r\n\r\n".encode() + value + b"\r\n")
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(_FIELD, _FILE), max_size=6), cuts=_CUTS)
def test_a_well_formed_multipart_form_comes_back_part_for_part(
    parts: list[tuple[str, str, Any]], cuts: list[int]
) -> None:
    answer = post("/form", f"multipart/form-data; boundary={BOUNDARY}", multipart_body(parts), cuts)
    if sum(1 for kind, _, _ in parts if kind == "file") > 4:
        assert answer.status == 413
        return
    assert answer.status == 200, answer.body
    expected = [[name, "field", value] if kind == "field" else
                [name, "file", "f.bin", hashlib.sha256(value).hexdigest()] for kind, name, value in parts]
    assert json.loads(answer.body)["items"] == expected


_MULTIPART_NOISE = st.lists(
    st.sampled_from([f"--{BOUNDARY}".encode(), b"\r\n", b"--", b"Content-Disposition: form-data; ", b'name="a"',
                     b'filename="../x"', b"Content-Type: text/plain; charset=latin-1", b": ", b"\n", b"\r",
                     b"x" * 600, b"\xff\xfe", b"", b" ", b'name="', b"form-data", b"\x00"]),
    max_size=40,
).map(b"".join)

_FORM_CONTENT_TYPES = st.sampled_from([
    f"multipart/form-data; boundary={BOUNDARY}", "multipart/form-data", "multipart/form-data; boundary=",
    "multipart/form-data; boundary=" + "b" * 71, 'multipart/form-data; boundary="a b"',
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=nope", "text/plain", "multipart/mixed; boundary=x", "",
])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content_type=_FORM_CONTENT_TYPES, body=st.one_of(st.binary(max_size=400), _MULTIPART_NOISE), cuts=_CUTS)
def test_any_bytes_posted_as_a_form_get_200_or_a_4xx(content_type: str, body: bytes, cuts: list[int]) -> None:
    answer = post("/form", content_type, body, cuts)
    if answer.status != 200:
        assert_client_error_shape(answer)
