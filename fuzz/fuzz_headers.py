"""Fuzz everything the core reads from request headers: the header mapping, the URL rebuilt from
``Host``, cookies, credentials (``Authorization``), the client IP behind proxies, content
negotiation, ``Range``, the WebSocket ``Origin`` check and the trusted-host parser.

The input is a header block (``name: value`` lines). Every reader returns a value or, where the
docs say so, refuses with a 4xx (``HTTPException``); nothing else may escape.
"""

from __future__ import annotations

from _driver import instrumented, main

with instrumented():
    from nexios_core.datastructures import Headers
    from nexios_core.exceptions import HTTPException
    from nexios_core.fileresponse import parse_byte_ranges
    from nexios_core.middleware.trusted_host import parse_host
    from nexios_core.request import Request
    from nexios_core.websocket import origin_is_allowed

SEEDS = [
    b"Host: example.com:8080\nCookie: a=1; b=2\nAuthorization: Basic dXNlcjpwYXNz\nRange: bytes=0-10,20-",
    b"host: [::1]:443\nx-forwarded-for: 10.0.0.1, 203.0.113.9\norigin: https://example.com\n"
    b"authorization: Bearer abc.def.ghi\naccept: application/json",
    b"Host: a\xb2b:\xb2\xb3\nRange: bytes=-5,9999999999999999999999-\nContent-Type: text/plain; charset=zzz",
]
TOKENS = [b"\nHost: ", b"\nRange: bytes=", b"\nCookie: ", b"\nAuthorization: Basic ", b"\nAuthorization: Bearer ",
          b"\nOrigin: http://", b"\nX-Forwarded-For: ", b"\nContent-Type: ", b":", b"[", b"]", b",", b"-", b"=",
          b"\xb2", b"\xff", b"9" * 30, b"@", b"%", b"//", b";"]


# What HTTP servers accept in a field name (RFC 9110 "tchar"); they refuse anything else.
_TOKEN_CHARS = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _headers(data: bytes) -> list[tuple[bytes, bytes]]:
    raw = []
    for line in data.split(b"\n"):
        name, separator, value = line.partition(b":")
        name = bytes(c for c in name if c in _TOKEN_CHARS)
        if separator and name:
            raw.append((name.lower(), value.strip(b" \t\r")))
    return raw


def test_one_input(data: bytes) -> None:
    raw = _headers(data)
    headers = Headers(raw=raw)
    for name, _ in raw:
        text = name.decode("latin-1")
        assert headers.getlist(text)[0] == headers[text]
    scope = {"type": "http", "method": "GET", "path": "/p", "root_path": "", "scheme": "https",
             "query_string": b"", "headers": raw, "server": ("testserver", 443), "client": ("127.0.0.1", 1)}
    request = Request(scope)
    url = request.url
    str(url)
    url.hostname, url.port, url.is_secure  # noqa: B018 - reading them is the test
    request.cookies, request.content_type, request.bearer_token, request.basic_auth  # noqa: B018
    request.accepts_json, request.accepts_html, request.is_ajax, request.origin  # noqa: B018
    for proxies in (0, 1, 3):
        request.get_client_ip(trusted_proxies=proxies)
    try:
        request.build_absolute_uri("/next")
    except HTTPException as exc:
        assert exc.status_code == 400
    range_header = headers.get("range")
    if range_header is not None:
        try:
            ranges = parse_byte_ranges(range_header, 1000, 100)
        except HTTPException as exc:
            assert exc.status_code == 416
        else:
            assert ranges is None or all(0 <= first <= last < 1000 for first, last in ranges)
    ws_scope = dict(scope, type="websocket")
    for allowed in (None, ["https://example.com"], ["*"]):
        origin_is_allowed(ws_scope, allowed)
    for name, value in raw:
        if name == b"host":
            parse_host(value)


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
