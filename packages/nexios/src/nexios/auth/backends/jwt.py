"""``nexios.auth.backends.jwt``: the JWT backend and token helpers (needs ``nexios[jwt]``)."""

from __future__ import annotations

from nexios_auth.backends.jwt import JWTAuthBackend, JWTUser, create_jwt, decode_jwt

__all__ = ["JWTAuthBackend", "JWTUser", "create_jwt", "decode_jwt"]
