"""``nexios.auth.backends.apikey``: the API key backend."""

from __future__ import annotations

from nexios_auth.backends.apikey import APIKeyAuthBackend

from ..._compat.auth import APIKeyBackend

__all__ = ["APIKeyAuthBackend", "APIKeyBackend"]
