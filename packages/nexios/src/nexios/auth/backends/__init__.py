"""``nexios.auth.backends``: session, API key and JWT backends (JWT needs ``nexios[jwt]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nexios_auth.backends import APIKeyAuthBackend, AuthenticationBackend

from ..._compat.auth import APIKeyBackend, SessionAuthBackend

if TYPE_CHECKING:
    from ..._compat.jwt import JWTAuthBackend


def __getattr__(name: str) -> Any:
    # PyJWT is an optional extra: import the JWT backend only when it is asked for.
    if name == "JWTAuthBackend":
        from ..._compat.jwt import JWTAuthBackend

        return JWTAuthBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["APIKeyAuthBackend", "APIKeyBackend", "AuthenticationBackend", "JWTAuthBackend", "SessionAuthBackend"]
