"""``nexios.auth.users.simple``: ``SimpleUser`` and ``UnauthenticatedUser``, upstream Nexios
3's path (``BaseUser`` too, as upstream's module re-exported it)."""

from __future__ import annotations

from nexios_auth.users import UnauthenticatedUser

from ..._compat.auth import BaseUser, SimpleUser

__all__ = ["BaseUser", "SimpleUser", "UnauthenticatedUser"]
