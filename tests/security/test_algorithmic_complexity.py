"""Algorithmic-complexity regressions: every parser, fed adversarial input at its limit, finishes
in time linear in that input.

Each case is the worst input we know for one parser, sized at the limit that applies (the body,
cookie or query limits, or what a server lets through). Linear work on these takes milliseconds;
the bound is seconds, about a hundred times more, so a slow or shared machine cannot flake it,
while anything quadratic (the JSON pre-check, cookie unquoting and client-chosen codecs of the
second security review took 10 s to hours) fails it by far.

The last tests are the ReDoS review: every regular expression at module level in the packages is
listed here with its worst input, and a new one cannot be added without being reviewed.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest

from nexios_core import jsoncodec
from nexios_core.cookies import parse_cookie_header
from nexios_core.datastructures import Headers, QueryParams
from nexios_core.exceptions import HTTPException
from nexios_core.fileresponse import parse_byte_ranges
from nexios_core.forms import parse_form
from nexios_core.limits import DEFAULT_LIMITS, KIB, MIB
from nexios_core.request import Request

BOUND = 3.0
"""Seconds each case may take; linear work on these inputs takes milliseconds."""


def within_bound(work: Callable[[], Any]) -> float:
    """Run ``work`` (refusals are fine: they are answers), return the seconds it took."""
    start = time.perf_counter()
    try:
        work()
    except (HTTPException, ValueError):
        pass
    took = time.perf_counter() - start
    assert took < BOUND, f"took {took:.2f} s"
    return took


async def _chunks(body: bytes, size: int = 64 * KIB) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


def run_form(body: bytes, content_type: str) -> Callable[[], Any]:
    return lambda: anyio.run(parse_form, _chunks(body), content_type, DEFAULT_LIMITS)


BOUNDARY = "b" * 70


def multipart(parts: list[bytes], boundary: str = BOUNDARY) -> bytes:
    body = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts)
    return body + f"--{boundary}--\r\n".encode()


JSON_LIMIT = DEFAULT_LIMITS.max_body_size
JSON_CASES = {
    # Item 1 of the second review: deep brackets, then an unterminated string of escaped quotes.
    "deep-then-unterminated-escapes": b"[" * 1025 + b'"' + b'\\"' * ((JSON_LIMIT - 1026) // 2),
    "only-openers": b"[" * JSON_LIMIT,
    "alternating-within-depth": b"[]" * (JSON_LIMIT // 2),
    "quotes": b'"' * JSON_LIMIT,
    "backslashes": b"\\" * JSON_LIMIT,
    "unicode-escapes": b'"' + b"\\u00e9" * ((JSON_LIMIT - 2) // 6) + b'"',
    "surrogate-escapes": b'"' + b"\\ud800" * ((JSON_LIMIT - 2) // 6) + b'"',
    "long-digit-runs": b"[" + b"1234567890123456789," * (JSON_LIMIT // 20 - 1) + b"1]",
    "nested-objects": b'{"a":' * 1024 + b"1" + b"}" * 1024,
}


@pytest.mark.parametrize("body", JSON_CASES.values(), ids=JSON_CASES.keys())
def test_json_decoding_is_linear_at_the_body_limit(body: bytes) -> None:
    within_bound(lambda: jsoncodec.loads(body))


COOKIE_LIMIT = DEFAULT_LIMITS.max_cookie_header_size
COOKIE_CASES = {
    # Item 2: http.cookies unquoting is quadratic on backslashes (CVE-2024-7592 class).
    "quoted-backslashes": 'a="' + "\\" * (COOKIE_LIMIT - 4) + '"',
    "octal-escapes": 'a="' + "\\101" * ((COOKIE_LIMIT - 4) // 4) + '"',
    "many-pairs": "a=1;" * (COOKIE_LIMIT // 4),
    "separators": ";" * COOKIE_LIMIT,
    "quotes": '"' * COOKIE_LIMIT,
}


@pytest.mark.parametrize("header", COOKIE_CASES.values(), ids=COOKIE_CASES.keys())
def test_cookie_parsing_is_linear_at_the_cookie_limit(header: str) -> None:
    within_bound(lambda: parse_cookie_header(header))


def test_cookies_of_a_request_are_linear_up_to_the_limit() -> None:
    scope = {"type": "http", "headers": [(b"cookie", COOKIE_CASES["quoted-backslashes"].encode())]}
    within_bound(lambda: Request(scope).cookies)


QUERY = 1 * MIB
"""No Nexios limit bounds the query string's length (the server's request-line limit does); a
mebibyte is far above what uvicorn accepts."""
QUERY_CASES = {
    "fields-at-the-limit": "&".join(f"k{i}=" + "v" * 900 for i in range(DEFAULT_LIMITS.max_query_fields)),
    "ampersands": "&" * QUERY,
    "percent-signs": "%" * QUERY,
    "escapes": "a=" + "%41" * (QUERY // 3),
    "plus-signs": "a=" + "+" * QUERY,
    "one-huge-field": "a=" + "b" * QUERY,
}


@pytest.mark.parametrize("query", QUERY_CASES.values(), ids=QUERY_CASES.keys())
def test_query_parsing_is_linear(query: str) -> None:
    within_bound(lambda: QueryParams(query, max_fields=DEFAULT_LIMITS.max_query_fields).get("a"))


def test_header_lookups_are_linear_in_the_number_of_headers() -> None:
    raw = [(f"x-h{i % 50}".encode(), b"v" * 20) for i in range(20_000)]

    def lookups() -> None:
        headers = Headers(raw=raw)
        for i in range(1000):
            headers.get(f"x-h{i % 60}")
        headers.getlist("x-h1")

    within_bound(lookups)


FORM_LIMIT = DEFAULT_LIMITS.max_body_size
URLENCODED = "application/x-www-form-urlencoded"
URLENCODED_CASES = {
    "fields-at-the-limit": "&".join(f"f{i}=" + "x" * 1000 for i in range(DEFAULT_LIMITS.max_form_fields)).encode(),
    "escapes": b"a=" + b"%e9" * ((FORM_LIMIT - 2) // 3),
    "ampersands": b"&" * FORM_LIMIT,
    "equals": b"=" * FORM_LIMIT,
    "plus-signs": b"a=" + b"+" * (FORM_LIMIT - 2),
}


@pytest.mark.parametrize("body", URLENCODED_CASES.values(), ids=URLENCODED_CASES.keys())
def test_urlencoded_forms_are_linear_at_the_body_limit(body: bytes) -> None:
    within_bound(run_form(body, URLENCODED))


@pytest.mark.parametrize("charset", ["punycode", "idna", "utf-7", "utf-16", "undefined"])
def test_a_form_with_a_client_chosen_codec_is_refused_before_decoding(charset: str) -> None:
    # Item 3: `charset=punycode` made decoding 640 KB take 8.8 s.
    body = b"a=" + b"x" * (FORM_LIMIT - 2)
    within_bound(run_form(body, f"{URLENCODED}; charset={charset}"))


MULTIPART_LIMIT = DEFAULT_LIMITS.max_multipart_size
FILE_HEADERS = b'Content-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n'
MULTIPART_CASES = {
    "near-boundaries-in-a-file": multipart([FILE_HEADERS + (b"\r\n--" + b"b" * 69 + b"x") * (MULTIPART_LIMIT // 80)]),
    "crlf-runs-in-a-file": multipart([FILE_HEADERS + b"\r\n" * (MULTIPART_LIMIT // 2 - 200)]),
    "dashes-in-a-file": multipart([FILE_HEADERS + b"-" * (MULTIPART_LIMIT - 300)]),
    "parts-at-the-limit": multipart(
        [b'Content-Disposition: form-data; name="p"\r\n\r\n' + b"v" * 5000] * DEFAULT_LIMITS.max_form_parts
    ),
    "long-part-headers": multipart(
        [b'Content-Disposition: form-data; name="p"\r\n' + b"X-Pad: " + b"a" * (15 * KIB) + b"\r\n\r\nv"] * 600
    ),
    "parameters-in-disposition": multipart(
        [b"Content-Disposition: form-data; name=\"p\"" + b"; a=\"\\\"\"" * 1500 + b"\r\n\r\nv"] * 100
    ),
}


@pytest.mark.parametrize("body", MULTIPART_CASES.values(), ids=MULTIPART_CASES.keys())
def test_multipart_forms_are_linear_at_the_multipart_limit(body: bytes) -> None:
    assert len(body) <= MULTIPART_LIMIT
    within_bound(run_form(body, f"multipart/form-data; boundary={BOUNDARY}"))


RANGE_CASES = {
    "ranges-at-the-limit": "bytes=" + ",".join(f"{i * 7}-{i * 7 + 100}" for i in range(DEFAULT_LIMITS.max_ranges)),
    "far-too-many-ranges": "bytes=" + "0-1," * 200_000,
    "long-numbers": "bytes=" + "9" * 100_000 + "-" + "9" * 100_000,
    "dashes": "bytes=" + "-" * 400_000,
    "empty-elements": "bytes=" + "," * 400_000 + "0-1",
}


@pytest.mark.parametrize("header", RANGE_CASES.values(), ids=RANGE_CASES.keys())
def test_range_parsing_is_linear(header: str) -> None:
    within_bound(lambda: parse_byte_ranges(header, 10**12, DEFAULT_LIMITS.max_ranges))


def routing_app() -> Any:
    from nexios import get_application

    app = get_application()

    async def handler(request: Any, response: Any) -> str:
        return "ok"

    for template in ("/a/{x}-{y}-{z}.json", "/b/{slug}-{id:int}", "/c/{a}.{b}.{c}.{d}", "/d/{f:float}/{u:uuid}",
                     "/e/{rest:path}", "/static/one", "/{p}/{q}/{r}/end"):
        app.add_route(template, handler)
    for index in range(300):
        app.add_route(f"/many/{index}/{{x}}/tail", handler)
    return app


SEGMENT = 16 * KIB
"""A path segment about as long as a server lets through (uvicorn's default line limits)."""
PATH_CASES = {
    "multi-parameter-segment-almost-matching": "/a/" + "-" * SEGMENT + ".jsonx",
    "multi-parameter-segment-separators": "/a/" + "-a" * (SEGMENT // 2) + ".jsonx",
    "slug-and-int": "/b/" + "a-" * (SEGMENT // 2) + "x",
    "dots": "/c/" + "." * SEGMENT,
    "float-almost": "/d/" + "1" * SEGMENT + "x/u",
    "many-segments": "/" + "x/" * (SEGMENT // 2),
    "deep-catch-all": "/e/" + "a/" * (SEGMENT // 2),
    "backtracking-trie": "/many/" + "/".join(["1"] * 3) + "/" + "z" * SEGMENT,
}


@pytest.mark.parametrize("path", PATH_CASES.values(), ids=PATH_CASES.keys())
def test_path_matching_is_linear_in_the_path(path: str) -> None:
    from nexios.testclient import TestClient

    with TestClient(routing_app()) as client:
        within_bound(lambda: client.get(path))


# ---------------------------------------------------------------------------- the ReDoS review
# Every module-level regex of the packages: how the code applies it, and the worst input it can be
# given (the longest the code lets reach it: where a length check comes first, that length).
REVIEWED_REGEXES: dict[str, tuple[str, str]] = {
    "nexios_core.jsoncodec._STRING": ("sub", '"' + '\\"' * 500_000),
    "nexios_core.jsoncodec._SURROGATE_ESCAPE": ("search", "\\u" * 500_000),
    "nexios_core.jsoncodec._LONG_DIGIT_RUN": ("search", "123456789012345678x" * 50_000),
    "nexios_core.cookies._ESCAPE": ("sub", "\\" * 200_000),
    # A page number or size from the query string (pagination): at most 18 digits, fullmatch.
    "nexios_core.pagination._WHOLE_NUMBER": ("fullmatch", "-" + "9" * 200_000),
    "nexios_core.cookies._ATTRIBUTE_VALUE": ("fullmatch", "/" * 200_000 + ";"),
    "nexios_core.cookies._DOMAIN": ("fullmatch", "a-" * 126 + "."),  # length-checked to 253 first
    "nexios_core.forms._HEADER_CONTROL_CHARS": ("search", "a" * 16 * KIB),
    # Applied to one urlencoded field at a time, in slices of forms.DECODE_SLICE (64 KiB).
    "nexios_core.forms._LONE_PERCENT": ("sub", "%" * 64 * KIB + "%4"),
    "nexios_core.request_ids._WELL_FORMED": ("fullmatch", "a" * 200_000 + "!"),  # length-checked first
    # The client address of an access record (X-Forwarded-For through a trusted peer): client input.
    "nexios_core.request_log._ADDRESS": ("fullmatch", "a" * 200_000 + '"'),
    "nexios_core.checks._NOT_ALNUM": ("sub", "-a" * 100_000),  # a secret key, app input
    "nexios_core.fileresponse._RANGE_SPEC": ("fullmatch", "1" * 200_000),
    "nexios_core.fileresponse._ENTITY_TAG": ("findall", 'W/"' * 200_000),
    "nexios_core.middleware.cors._TOKEN": ("fullmatch", "a" * 200_000 + "("),
    "nexios_core.middleware.cors._ORIGIN": ("fullmatch", "a" * 100_000 + "://" + "b" * 100_000 + ":"),
    "nexios_core.middleware.trusted_host._HOST": ("fullmatch", ("a" * 62 + ".") * 4 + "-"),  # length-checked first
    "nexios_di.validation._INT_TEXT": ("fullmatch", "1" * 200_000 + "x"),
    "nexios_di.validation._FLOAT_TEXT": ("fullmatch", "1" * 200_000 + "x"),
    "nexios_session.middleware._SIGNED_ID": ("fullmatch", "a" * 43 + "." + "b" * 200_000 + "!"),
    "nexios_session.interface.SESSION_ID_PATTERN": ("fullmatch", "a" * 200_000),
    "nexios_session.signed_cookies._COOKIE_VALUE": ("fullmatch", "a." * 100_000 + "!"),
    "nexios_routing.paths._PARAM": ("sub", "{" * 50_000 + "a" * 50_000),  # route templates: app input
    "nexios_cli._scaffold.PROJECT_NAME": ("match", "a" * 200_000 + "!"),  # a command-line argument
    # OpenAPI: route templates and route names, app input, once per document build.
    "nexios_core.redis_channels._CHANNEL_ID": ("fullmatch", "a" * 200_000 + "!"),  # ids from Redis messages
    "nexios_openapi.document._PARAM": ("sub", "{" * 50_000 + "a" * 50_000),
    "nexios_openapi.document._NOT_WORD": ("sub", "a-" * 100_000),
}
PACKAGES = ("nexios_core", "nexios_di", "nexios_session", "nexios_routing", "nexios_auth", "nexios_cli",
            "nexios_openapi")


def module_level_regexes() -> dict[str, re.Pattern[Any]]:
    found: dict[str, re.Pattern[Any]] = {}
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package_name] + [
            info.name for info in pkgutil.walk_packages(package.__path__, package_name + ".")
            if not info.name.endswith("__main__")  # importing it would run the command
        ]
        for module_name in modules:
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # an optional dependency (redis, jwt...) is not installed
                continue
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern):
                    found.setdefault(f"{module_name}.{name}", value)
    return found


def test_every_module_level_regex_has_a_worst_case_in_this_review() -> None:
    found = module_level_regexes()
    reviewed = {id(found[name]) for name in REVIEWED_REGEXES if name in found}
    # A name re-exported elsewhere is the same object as the reviewed one.
    unreviewed = sorted(name for name, pattern in found.items() if id(pattern) not in reviewed)
    assert not unreviewed, f"Add each to REVIEWED_REGEXES with how it is used and its worst input: {unreviewed}"
    assert set(REVIEWED_REGEXES) <= set(found), "a reviewed regex no longer exists: drop it from the review"


@pytest.mark.parametrize("name", sorted(REVIEWED_REGEXES))
def test_each_reviewed_regex_is_linear_on_its_worst_input(name: str) -> None:
    module_name, _, attribute = name.rpartition(".")
    pattern: re.Pattern[Any] = getattr(importlib.import_module(module_name), attribute)
    how, text = REVIEWED_REGEXES[name]
    subject: Any = text.encode() if isinstance(pattern.pattern, bytes) else text
    empty: Any = b"" if isinstance(pattern.pattern, bytes) else ""
    if how == "sub":
        within_bound(lambda: pattern.sub(empty, subject))
    else:
        within_bound(lambda: getattr(pattern, how)(subject))


def test_converter_regexes_are_linear_on_worst_segments() -> None:
    from nexios_routing.converters import CONVERTERS

    for converter in CONVERTERS.values():
        pattern = re.compile(converter.regex)
        for text in ("1" * SEGMENT + "x", "-" * SEGMENT, "1." * SEGMENT, "a" * SEGMENT + "/"):
            within_bound(functools.partial(pattern.fullmatch, text))
