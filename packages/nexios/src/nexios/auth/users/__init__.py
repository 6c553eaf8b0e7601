"""``nexios.auth.users``: the user classes, where upstream Nexios 3 kept them (``.base``,
``.simple``); the same classes as ``nexios.auth``'s."""

from __future__ import annotations

from nexios_auth.users import UnauthenticatedUser

from ..._compat.auth import BaseUser, SimpleUser

__all__ = ["BaseUser", "SimpleUser", "UnauthenticatedUser"]
