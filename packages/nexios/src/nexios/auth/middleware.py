"""``nexios.auth.middleware``: ``AuthenticationMiddleware`` (also taking upstream-style custom
backends)."""

from __future__ import annotations

from .._compat.auth import AuthenticationMiddleware

__all__ = ["AuthenticationMiddleware"]
