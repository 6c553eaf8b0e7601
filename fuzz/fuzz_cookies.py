"""Fuzz cookie handling: parsing a ``Cookie`` header, and formatting a ``Set-Cookie`` header.

Parsing never fails (malformed pairs are skipped), and a quoted value is unquoted exactly as the
standard library's ``http.cookies`` would, backslash escapes and octal sequences included (ours
is linear; the library's is quadratic on some CPython releases). Formatting either refuses the
name with a ``ValueError`` or produces a header value without line breaks whose name=value pair
parses back to the same value. The input is ``header`` or ``name NUL value``.
"""

from __future__ import annotations

from _driver import instrumented, main

with instrumented():
    import http.cookies

    from nexios_core.cookies import format_set_cookie, unquote_cookie_value
    from nexios_core.datastructures import MutableHeaders
    from nexios_core.request import parse_cookie_header

SEEDS = [b"a=1; b=2; session=abc.def", b'q="a\\073b"; x', b"name\x00value with spaces; and=equals",
         b"=; ;;a==b", b"sid\x00\r\nSet-Cookie: admin=1", b'a="\\\\\\"\\q\\400\\777"; b="\\', b'c=""; d="\\"\\""']
TOKENS = [b";", b"=", b'"', b"\\", b"\\073", b"\\400", b"\\\\", b'\\"', b" ", b"\x00", b"\r\n", b",", b"\xe9",
          b"\xff"]


def test_one_input(data: bytes) -> None:
    header = data.decode("latin-1")
    cookies = parse_cookie_header(header)
    assert all(name and name == name.strip() and ";" not in name for name in cookies)
    for chunk in header.split(";"):
        value = chunk.partition("=")[2].strip()
        expected = http.cookies._unquote(value)  # type: ignore[attr-defined]
        assert unquote_cookie_value(value) == expected, (value, expected)
    name, separator, value = header.partition("\x00")
    if not separator:
        return
    try:
        set_cookie = format_set_cookie(name, value)
        MutableHeaders(raw=[]).append("set-cookie", set_cookie)  # what a response does with it
    except ValueError:
        return  # an invalid name, or a value that cannot be a header: refused before sending
    assert "\r" not in set_cookie and "\n" not in set_cookie
    assert parse_cookie_header(set_cookie.split("; ")[0]) == {name: value}


if __name__ == "__main__":
    main(test_one_input, SEEDS, TOKENS)
