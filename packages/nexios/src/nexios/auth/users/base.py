"""``nexios.auth.users.base``: ``BaseUser`` (and ``SimpleUser``), upstream Nexios 3's path."""

from __future__ import annotations

from ..._compat.auth import BaseUser, SimpleUser

__all__ = ["BaseUser", "SimpleUser"]
