"""The interfaces a session backend implements, and the session ids they are keyed by.

Two kinds of backend exist, each a small :class:`~typing.Protocol` a third party can implement
without importing anything from Nexios. Both are seams of the core (``nexios_core``), defined
there and re-exported here:

* :class:`SessionBackend` keeps the data on the server (files, Redis, a database). The cookie
  holds only a signed, random session id.
* :class:`CookieSessionBackend` keeps the data in the cookie itself (the signed-cookie default).
  Its methods are synchronous because they only compute; that is what lets the middleware
  decode the cookie lazily, on the handler's first use of ``request.session``.
"""

from __future__ import annotations

import re
import secrets
from typing import TypeGuard

from nexios_core import CookieSessionBackend, SessionBackend

DEFAULT_MAX_AGE = 14 * 24 * 60 * 60
"""Sessions live 14 days after their last save unless configured otherwise (SECURITY.md)."""

SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
"""What :func:`new_session_id` produces: 32 random bytes, URL-safe base64 without padding.
Backends check ids against it before using them as a file name or a key."""


def new_session_id() -> str:
    """A fresh, unguessable session id (256 bits from :mod:`secrets`)."""
    return secrets.token_urlsafe(32)


def is_valid_session_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` has the exact shape of an id made by :func:`new_session_id`."""
    return isinstance(value, str) and SESSION_ID_PATTERN.fullmatch(value) is not None


__all__ = [
    "DEFAULT_MAX_AGE",
    "SESSION_ID_PATTERN",
    "CookieSessionBackend",
    "SessionBackend",
    "is_valid_session_id",
    "new_session_id",
]
