"""``nexios.auth``: authentication middleware, backends, users, the ``auth`` decorator and
session login/logout (implemented in ``nexios_auth``; ``SimpleUser`` also takes upstream Nexios's
``permissions=[...]``)."""

from __future__ import annotations

from nexios_auth import (
    AuthCredentials,
    UnauthenticatedUser,
    auth,
    login,
    logout,
)

from .._compat.auth import AuthenticationMiddleware, BaseUser, SimpleUser

__all__ = [
    "AuthCredentials",
    "AuthenticationMiddleware",
    "BaseUser",
    "SimpleUser",
    "UnauthenticatedUser",
    "auth",
    "login",
    "logout",
]
