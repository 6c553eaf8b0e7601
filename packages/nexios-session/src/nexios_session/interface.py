"""The interfaces a session backend implements, and the session ids they are keyed by.

Two kinds of backend exist, each a small :class:`~typing.Protocol` a third party can implement
without importing anything from Nexios:

* :class:`SessionBackend` keeps the data on the server (files, Redis, a database). The cookie
  holds only a signed, random session id.
* :class:`CookieSessionBackend` keeps the data in the cookie itself (the signed-cookie default).
  Its methods are synchronous because they only compute; that is what lets the middleware
  decode the cookie lazily, on the handler's first use of ``request.session``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any, Protocol, TypeGuard, runtime_checkable

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


@runtime_checkable
class SessionBackend(Protocol):
    """Server-side session storage, keyed by session id.

    Implementations must treat ``max_age`` as a hard deadline: once it has passed since the last
    :meth:`save`, :meth:`load` returns ``None``. They receive only ids that match
    :data:`SESSION_ID_PATTERN`, and store only JSON-compatible data.
    """

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The data saved for ``session_id``, or ``None`` when it is unknown or expired."""
        ...

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        """Store ``data`` for ``session_id``, replacing what was there, for ``max_age`` seconds."""
        ...

    async def delete(self, session_id: str) -> None:
        """Forget ``session_id`` (no error when it is unknown)."""
        ...


@runtime_checkable
class CookieSessionBackend(Protocol):
    """Session data carried by the cookie itself. The encoding must be tamper-proof (signed)."""

    def encode(self, session_id: str, data: Mapping[str, Any], max_age: int) -> str:
        """The cookie value carrying ``session_id`` and ``data`` (cookie-safe characters only)."""
        ...

    def decode(self, cookie_value: str, max_age: int) -> tuple[str, dict[str, Any]] | None:
        """``(session_id, data)`` from a cookie value, or ``None`` when it is tampered, malformed
        or older than ``max_age`` seconds. Must never raise for bad input."""
        ...


__all__ = [
    "DEFAULT_MAX_AGE",
    "SESSION_ID_PATTERN",
    "CookieSessionBackend",
    "SessionBackend",
    "is_valid_session_id",
    "new_session_id",
]
