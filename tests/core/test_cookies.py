"""``Set-Cookie`` formatting and request cookie parsing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from nexios_core.cookies import format_set_cookie
from nexios_core.request import parse_cookie_header


def test_defaults_are_lax_and_root_path() -> None:
    assert format_set_cookie("sid", "abc") == "sid=abc; Path=/; SameSite=Lax"


def test_every_attribute() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    text = format_set_cookie(
        "sid", "abc", max_age=60, expires=when, path="/app", domain="example.com",
        secure=True, httponly=True, samesite="strict", partitioned=True,
    )
    parts = text.split("; ")
    assert parts[0] == "sid=abc"
    assert "Max-Age=60" in parts
    assert "expires=Wed, 02 Jan 2030 01:04:05 GMT" in parts  # converted to UTC
    assert "Path=/app" in parts and "Domain=example.com" in parts
    assert "Secure" in parts and "HttpOnly" in parts and "SameSite=Strict" in parts
    assert parts[-1] == "Partitioned"


def test_samesite_none_forces_secure() -> None:
    text = format_set_cookie("x", "1", samesite="none")
    assert "SameSite=None" in text and "Secure" in text
    assert "Secure" not in format_set_cookie("x", "1", samesite="lax")
    assert "SameSite" not in format_set_cookie("x", "1", samesite=None)


def test_values_that_need_quoting_cannot_break_the_header() -> None:
    text = format_set_cookie("x", 'a;b "c"')
    assert text.startswith('x="a\\073b \\"c\\""')
    assert "\r" not in text and "\n" not in text
    assert parse_cookie_header(text.split("; Path")[0]) == {"x": 'a;b "c"'}


@pytest.mark.parametrize("name", ["bad name", "a;b", "a=b", "", "é"])
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        format_set_cookie(name, "v")


def test_invalid_samesite_is_refused() -> None:
    with pytest.raises(ValueError):
        format_set_cookie("x", "1", samesite="whatever")  # type: ignore[arg-type]


def test_request_cookie_parsing_is_lenient() -> None:
    assert parse_cookie_header("a=1; b=2") == {"a": "1", "b": "2"}
    assert parse_cookie_header("a=1;;b=2; ; c") == {"a": "1", "b": "2"}
    assert parse_cookie_header("=x; a= spaced ") == {"a": "spaced"}
    assert parse_cookie_header('q="quoted"') == {"q": "quoted"}
    assert parse_cookie_header("a=1; a=2") == {"a": "2"}
    assert parse_cookie_header("tok=abc==") == {"tok": "abc=="}
