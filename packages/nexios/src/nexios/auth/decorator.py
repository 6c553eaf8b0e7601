"""``nexios.auth.decorator``: the ``auth`` decorator."""

from __future__ import annotations

from nexios_auth.decorator import auth

__all__ = ["auth"]
