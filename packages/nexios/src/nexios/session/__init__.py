"""``nexios.session``: sessions (re-exported from ``nexios_session``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nexios_session import (
    DEFAULT_MAX_AGE,
    BaseSessionInterface,
    CookieSessionBackend,
    FileSessionManager,
    Session,
    SessionBackend,
    SessionCookieTooLarge,
    SessionDataError,
    SessionError,
    SessionMiddleware,
    SessionSettings,
    SignedSessionManager,
    is_valid_session_id,
    new_session_id,
)

if TYPE_CHECKING:
    from nexios_session.redis import RedisSessionManager


def __getattr__(name: str) -> Any:
    # The Redis backend needs the optional redis package: import it only when asked for.
    if name == "RedisSessionManager":
        from nexios_session.redis import RedisSessionManager

        return RedisSessionManager
    raise AttributeError(f"module 'nexios.session' has no attribute {name!r}")


__all__ = [
    "DEFAULT_MAX_AGE",
    "BaseSessionInterface",
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
