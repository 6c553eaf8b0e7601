"""``nexios.auth.base``: the user classes and the backend interface."""

from __future__ import annotations

from nexios_auth.backends.base import AuthenticationBackend, AuthResult
from nexios_auth.users import UnauthenticatedUser

from .._compat.auth import BaseUser, SimpleUser

__all__ = ["AuthResult", "AuthenticationBackend", "BaseUser", "SimpleUser", "UnauthenticatedUser"]
