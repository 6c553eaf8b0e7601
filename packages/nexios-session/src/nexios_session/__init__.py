"""Sessions for Nexios: ``SessionMiddleware``, the session object, and its backends.

``SessionMiddleware`` gives each request a dict-like ``request.session``. The data lives in a
signed cookie by default (``SignedSessionManager``), or on the server in files
(``FileSessionManager``) or Redis (``RedisSessionManager``, with ``nexios-session[redis]``). Your
own store implements :class:`SessionBackend` (three async methods) and plugs in the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import SessionCookieTooLarge, SessionDataError, SessionError
from .file import FileSessionManager
from .interface import (
    DEFAULT_MAX_AGE,
    CookieSessionBackend,
    SessionBackend,
    is_valid_session_id,
    new_session_id,
)
from .middleware import SessionMiddleware
from .session import Session
from .settings import SessionSettings
from .signed_cookies import SignedSessionManager

if TYPE_CHECKING:
    from .redis import RedisSessionManager


def __getattr__(name: str) -> Any:
    # The Redis backend imports the optional redis package: load it only when asked for.
    if name == "RedisSessionManager":
        from .redis import RedisSessionManager

        return RedisSessionManager
    raise AttributeError(f"module 'nexios_session' has no attribute {name!r}")


__all__ = [
    "DEFAULT_MAX_AGE",
    "CookieSessionBackend",
    "FileSessionManager",
    "RedisSessionManager",
    "Session",
    "SessionBackend",
    "SessionCookieTooLarge",
    "SessionDataError",
    "SessionError",
    "SessionMiddleware",
    "SessionSettings",
    "SignedSessionManager",
    "is_valid_session_id",
    "new_session_id",
]
