"""Authentication backends: session, API key and (with the ``jwt`` extra) JWT."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .apikey import APIKeyAuthBackend
from .base import AuthenticationBackend, AuthResult
from .session import SessionAuthBackend

if TYPE_CHECKING:
    from .jwt import JWTAuthBackend


def __getattr__(name: str) -> Any:
    # The JWT backend imports PyJWT, an optional extra: load it only when asked for.
    if name == "JWTAuthBackend":
        from .jwt import JWTAuthBackend

        return JWTAuthBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIKeyAuthBackend",
    "AuthResult",
    "AuthenticationBackend",
    "JWTAuthBackend",
    "SessionAuthBackend",
]
