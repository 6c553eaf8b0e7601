"""Property tests (issue 5) for what a request line and its headers carry: the query string,
cookies and header fields. Parsed on their own, what was encoded comes back unchanged and hostile
input gives a value or a 4xx; through a whole app, no query string or header a client can send
gets a 5xx, and each request's handler sees its own values exactly.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexios import get_application
from nexios_core.cookies import format_set_cookie
from nexios_core.datastructures import Headers, MutableHeaders, QueryParams, parse_query_string
from nexios_core.exceptions import BadRequest
from nexios_core.request import Request, parse_cookie_header
from nexios_core.responses import Response
from tests.pressure.asgi_driver import call

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_LATIN1_TEXT = st.text(st.characters(max_codepoint=255), max_size=30)
_HEADER_NAME = st.from_regex(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}", fullmatch=True)
# A field value as a server hands it over: any bytes but CR, LF and NUL, no surrounding blanks.
_HEADER_VALUE = st.binary(max_size=40).map(
    lambda b: b.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"").strip(b" \t")
)
_COOKIE_NAME = st.from_regex(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}", fullmatch=True)


# ------------------------------------------------------------------ query strings
@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(_TEXT, _TEXT), max_size=12))
def test_urlencoded_query_round_trips_in_order_with_repeats(pairs: list[tuple[str, str]]) -> None:
    parsed = QueryParams(urlencode(pairs).encode("ascii"), max_fields=1000)
    assert parsed.multi_items() == pairs
    for key, _ in pairs:
        assert parsed.getlist(key) == [v for k, v in pairs if k == key]
        assert parsed[key] == [v for k, v in pairs if k == key][-1]  # the last value wins


@settings(max_examples=500, deadline=None)
@given(query=st.one_of(
    st.text(st.sampled_from("ab=&%+;x2 é"), max_size=40),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
))
def test_query_parsing_agrees_with_the_standard_library(query: str) -> None:
    # The fast split for strings with nothing to decode must never differ from parse_qsl.
    assert parse_query_string(query) == parse_qsl(query, keep_blank_values=True)


@given(raw=st.binary(max_size=200), max_fields=st.integers(1, 8))
def test_any_query_bytes_parse_or_give_a_400(raw: bytes, max_fields: int) -> None:
    try:
        parsed = QueryParams(raw, max_fields=max_fields)
    except BadRequest as exc:
        assert exc.status_code == 400
        assert sum(1 for part in raw.split(b"&") if part) > max_fields
    else:
        assert len(parsed.multi_items()) <= max_fields
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.multi_items())


@settings(max_examples=200, deadline=None)
@given(count=st.integers(0, 12), limit=st.integers(1, 10), blanks=st.integers(0, 5))
def test_query_field_limit_counts_real_fields_only(count: int, limit: int, blanks: int) -> None:
    query = "&".join([f"k{i}=v" for i in range(count)] + [""] * blanks)
    if count > limit:
        with pytest.raises(BadRequest):
            QueryParams(query, max_fields=limit)
    else:
        assert len(QueryParams(query, max_fields=limit).multi_items()) == count


# ------------------------------------------------------------------ cookies
@settings(max_examples=300, deadline=None)
@given(cookies=st.dictionaries(_COOKIE_NAME, _LATIN1_TEXT, max_size=6))
def test_cookie_values_set_by_the_app_come_back_unchanged(cookies: dict[str, str]) -> None:
    # What a browser sends back is the name=value pair of each Set-Cookie, joined with "; ".
    pairs = [format_set_cookie(name, value).split("; ")[0] for name, value in cookies.items()]
    assert parse_cookie_header("; ".join(pairs)) == cookies


@settings(max_examples=500, deadline=None)
@given(header=st.one_of(
    _LATIN1_TEXT, st.lists(st.sampled_from(["a=1", ";", "=", '"', "\\", " ", "b", '="x', '\\"'])).map("".join)
))
def test_any_cookie_header_parses_without_error(header: str) -> None:
    cookies = parse_cookie_header(header)
    assert all(name and name == name.strip() for name in cookies)


# ------------------------------------------------------------------ header fields
@settings(max_examples=300, deadline=None)
@given(raw=st.lists(st.tuples(_HEADER_NAME, _HEADER_VALUE), max_size=10))
def test_header_lookup_is_case_insensitive_and_keeps_repeats_in_order(raw: list[tuple[bytes, bytes]]) -> None:
    lowered = [(name.lower(), value) for name, value in raw]
    headers = Headers(raw=lowered)
    for name, _ in raw:
        values = [v.decode("latin-1") for n, v in lowered if n == name.lower()]
        text = name.decode("latin-1")
        assert headers.getlist(text.upper()) == values
        assert headers[text.swapcase()] == values[0]  # the first occurrence wins
        assert text.upper() in headers
    assert len(headers) == len({name for name, _ in lowered})


@settings(max_examples=300, deadline=None)
@given(name=_HEADER_NAME, value=_LATIN1_TEXT)
def test_response_headers_refuse_line_breaks_and_keep_everything_else(name: bytes, value: str) -> None:
    headers = MutableHeaders(raw=[])
    key = name.decode("latin-1")
    if "\r" in value or "\n" in value or "\x00" in value:  # NUL: RFC 9110 forbids it too
        with pytest.raises(ValueError):
            headers[key] = value
        assert headers.raw == []
    else:
        headers[key] = value
        headers.append(key, value)
        assert headers.getlist(key) == [value, value]
        assert all(b"\r" not in v and b"\n" not in v and b"\x00" not in v for _, v in headers.raw)


# ------------------------------------------------------------------ through a whole app
def _echo_app() -> Any:
    app = get_application()

    @app.get("/echo")
    async def echo(request: Request, response: Response) -> Any:
        return {
            "query": request.query_params.multi_items(),
            "cookies": request.cookies,
            "headers": [[k, v] for k, v in request.headers.items() if k.startswith("x-")],
            "ip": request.get_client_ip(trusted_proxies=1),
            "bearer": request.bearer_token,
            "basic": request.basic_auth,
            "accepts_json": request.accepts_json,
            "url": str(request.url),
        }

    return app


_ECHO_APP = _echo_app()
_INTERESTING_HEADERS = st.sampled_from(
    [b"cookie", b"authorization", b"x-forwarded-for", b"accept", b"host", b"content-type",
     b"content-length", b"x-request-id", b"origin", b"x-custom"]
)


@settings(max_examples=400, deadline=None)
@given(
    query=st.binary(max_size=120),
    headers=st.lists(st.tuples(st.one_of(_INTERESTING_HEADERS, _HEADER_NAME.map(bytes.lower)), _HEADER_VALUE),
                     max_size=8),
)
def test_no_query_string_or_header_a_client_sends_gets_a_5xx(query: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    answer = anyio.run(lambda: call(_ECHO_APP, "GET", "/echo", query_string=query, headers=headers))
    assert answer.status < 500, answer.body
    if answer.status == 200:
        json.loads(answer.body)


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(_TEXT, _TEXT), max_size=6),
    cookies=st.dictionaries(_COOKIE_NAME, _LATIN1_TEXT.filter(lambda v: v.isprintable()), max_size=4),
    custom=st.lists(_HEADER_VALUE.filter(lambda v: v.isascii()), max_size=3),
)
def test_the_handler_sees_exactly_the_query_cookies_and_headers_that_were_sent(
    pairs: list[tuple[str, str]], cookies: dict[str, str], custom: list[bytes]
) -> None:
    headers = [(b"x-value", value) for value in custom]
    if cookies:
        cookie_pairs = [format_set_cookie(n, v).split("; ")[0] for n, v in cookies.items()]
        headers.append((b"cookie", "; ".join(cookie_pairs).encode("latin-1")))
    answer = anyio.run(lambda: call(_ECHO_APP, "GET", "/echo", query_string=urlencode(pairs).encode(),
                                    headers=headers))
    assert answer.status == 200
    seen = json.loads(answer.body)
    assert [tuple(pair) for pair in seen["query"]] == pairs
    assert seen["cookies"] == cookies
    assert seen["headers"] == [["x-value", value.decode("latin-1")] for value in custom]
