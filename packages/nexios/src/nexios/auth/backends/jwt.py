"""``nexios.auth.backends.jwt``: the JWT backend and token helpers (needs ``nexios[jwt]``).
``JWTAuthBackend`` also takes upstream Nexios's ``authenticate_func``."""

from __future__ import annotations

from nexios_auth.backends.jwt import JWTUser, create_jwt, decode_jwt

from ..._compat.jwt import JWTAuthBackend

__all__ = ["JWTAuthBackend", "JWTUser", "create_jwt", "decode_jwt"]
