"""nexios-auth: authentication, authorization and CSRF protection for Nexios.

Depends on ``nexios-core`` only. JWT support needs the ``jwt`` extra
(``pip install 'nexios-auth[jwt]'``); its names load on first use, so the rest works without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .backends.apikey import APIKeyAuthBackend
from .backends.base import AuthenticationBackend, AuthResult
from .backends.session import SessionAuthBackend
from .credentials import AuthCredentials
from .csrf import CSRFMiddleware, csrf_input, csrf_token, rotate_csrf_token
from .decorator import auth
from .middleware import AuthenticationMiddleware
from .sessions import SESSION_USER_KEY, AuthSession, login, logout
from .users import BaseUser, SimpleUser, UnauthenticatedUser

if TYPE_CHECKING:
    from .backends.jwt import JWTAuthBackend, JWTUser, create_jwt, decode_jwt

_JWT_NAMES = frozenset({"JWTAuthBackend", "JWTUser", "create_jwt", "decode_jwt"})


def __getattr__(name: str) -> Any:
    # JWT names import PyJWT, an optional extra: load them only when asked for.
    if name in _JWT_NAMES:
        from .backends import jwt

        return getattr(jwt, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIKeyAuthBackend",
    "AuthCredentials",
    "AuthResult",
    "AuthSession",
    "AuthenticationBackend",
    "AuthenticationMiddleware",
    "BaseUser",
    "CSRFMiddleware",
    "JWTAuthBackend",
    "JWTUser",
    "SESSION_USER_KEY",
    "SessionAuthBackend",
    "SimpleUser",
    "UnauthenticatedUser",
    "auth",
    "create_jwt",
    "csrf_input",
    "csrf_token",
    "decode_jwt",
    "login",
    "logout",
    "rotate_csrf_token",
]
