"""``nexios.auth``: authentication middleware, backends, users, the ``auth`` decorator and
session login/logout (implemented in ``nexios_auth``)."""

from __future__ import annotations

from nexios_auth import (
    AuthCredentials,
    AuthenticationMiddleware,
    BaseUser,
    SimpleUser,
    UnauthenticatedUser,
    auth,
    login,
    logout,
)

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
