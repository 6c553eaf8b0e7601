"""Cookies both ways: parsing a request's ``Cookie`` header, formatting ``Set-Cookie`` values.

Parsing is linear in the header's size. The standard library's ``http.cookies`` unquoting is
quadratic on values full of backslashes (the CVE-2024-7592 class, unfixed in some supported
CPython releases), so quoted values are unquoted here with one regex pass; the header itself is
capped by ``Limits.max_cookie_header_size`` (431 beyond).

Formatting refuses attribute values that could smuggle another attribute into the header: a
``path`` of ``"/; Domain=evil.example"`` is an error, not a wider cookie.
"""

from __future__ import annotations

import http.cookies
import re
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Literal

SameSite = Literal["lax", "strict", "none"]

# A backslash escape inside a quoted cookie value: three octal digits, or any one character but
# a line break (as http.cookies reads it). Matches never overlap and the pattern cannot
# backtrack, so unquoting is one linear pass.
_ESCAPE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")


def _unescape(match: re.Match[str]) -> str:
    octal = match.group(1)
    return chr(int(octal, 8)) if octal is not None else match.group(2)


def unquote_cookie_value(value: str) -> str:
    """A cookie value without its surrounding double quotes and backslash escapes (as
    ``http.cookies`` reads them), in time linear in its length."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    return _ESCAPE.sub(_unescape, inner) if "\\" in inner else inner


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` header leniently, as browsers send it (malformed pairs are skipped; a
    repeated name keeps its last value)."""
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        name, sep, value = chunk.partition("=")
        name = name.strip()
        if not sep or not name:
            continue
        cookies[name] = unquote_cookie_value(value.strip())
    return cookies


# RFC 6265 section 4.1.1: attribute values are any CHAR but controls and ";". A domain is a host
# name (letters, digits, "-", "."; one leading "." is tolerated and ignored by browsers).
_ATTRIBUTE_VALUE = re.compile(r"[^\x00-\x1f\x7f;]*")
_DOMAIN = re.compile(r"\.?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def _checked_attribute(name: str, value: str) -> str:
    if not _ATTRIBUTE_VALUE.fullmatch(value):
        raise ValueError(f"Cookie {name} {value!r} contains ';' or a control character")
    return value


def format_set_cookie(
    key: str,
    value: str = "",
    *,
    max_age: int | None = None,
    expires: datetime | str | int | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: SameSite | None = "lax",
    partitioned: bool = False,
) -> str:
    """The value of one ``Set-Cookie`` header. ``SameSite=None`` forces ``Secure``, as browsers
    require. Raises ``ValueError`` for a name that is not a valid cookie token, and for a
    ``path``, ``domain`` or ``expires`` that would break out of its attribute."""
    cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    try:
        cookie[key] = value
    except http.cookies.CookieError as exc:
        raise ValueError(f"Invalid cookie name {key!r}") from exc
    morsel = cookie[key]
    if max_age is not None:
        morsel["max-age"] = str(int(max_age))
    if expires is not None:
        if isinstance(expires, datetime):
            expires = format_datetime(expires.astimezone(timezone.utc), usegmt=True)
        morsel["expires"] = _checked_attribute("expires", str(expires))
    if path is not None:
        morsel["path"] = _checked_attribute("path", path)
    if domain is not None:
        if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
            raise ValueError(f"Cookie domain {domain!r} is not a host name")
        morsel["domain"] = domain
    if samesite is not None:
        if samesite.lower() not in ("lax", "strict", "none"):
            raise ValueError("samesite must be 'lax', 'strict' or 'none'")
        morsel["samesite"] = samesite.capitalize()
        if samesite.lower() == "none":
            secure = True
    if secure:
        morsel["secure"] = True
    if httponly:
        morsel["httponly"] = True
    text = morsel.OutputString()
    if partitioned:
        text += "; Partitioned"
    return text


__all__ = ["SameSite", "format_set_cookie", "parse_cookie_header", "unquote_cookie_value"]
