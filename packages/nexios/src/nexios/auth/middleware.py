"""``nexios.auth.middleware``: ``AuthenticationMiddleware``."""

from __future__ import annotations

from nexios_auth.middleware import AuthenticationMiddleware

__all__ = ["AuthenticationMiddleware"]
