"""Formatting ``Set-Cookie`` header values."""

from __future__ import annotations

import http.cookies
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Literal

SameSite = Literal["lax", "strict", "none"]


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
    require. Raises ``ValueError`` for a name that is not a valid cookie token."""
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
        morsel["expires"] = expires
    if path is not None:
        morsel["path"] = path
    if domain is not None:
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


__all__ = ["SameSite", "format_set_cookie"]
