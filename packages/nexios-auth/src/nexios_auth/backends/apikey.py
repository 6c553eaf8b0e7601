"""API key authentication: a key in a header (default ``X-API-Key``) or a query parameter."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any

from nexios_core import ImproperlyConfigured, Request

from .._calls import call_hook
from ..users import is_authenticated, user_scopes
from .base import AuthResult


def _digest(key: str) -> bytes:
    # Comparing fixed-length digests keeps even the key's length out of the timing.
    return hashlib.sha256(key.encode("utf-8")).digest()


class APIKeyAuthBackend:
    """Authenticates requests carrying an API key.

    Give either ``keys``, a mapping of key to user compared in constant time against every entry,
    or ``lookup(key)`` (sync or async) returning the user or ``None``: a database query, which
    should compare hashes rather than raw keys. The key is read from ``header_name`` and, only if
    ``query_param`` is set, from the query string (off by default: URLs end up in logs and
    browser history). Scopes are the user's ``scopes``.
    """

    challenge: str | None

    def __init__(
        self,
        lookup: Callable[[str], Any] | None = None,
        *,
        keys: Mapping[str, Any] | None = None,
        header_name: str | None = "X-API-Key",
        query_param: str | None = None,
        name: str = "apikey",
    ) -> None:
        if (lookup is None) == (keys is None):
            raise ImproperlyConfigured("APIKeyAuthBackend needs exactly one of lookup=... or keys={...}")
        if header_name is None and query_param is None:
            raise ImproperlyConfigured("APIKeyAuthBackend needs a header_name or a query_param to read")
        if keys is not None and any(not key for key in keys):
            raise ImproperlyConfigured("API keys must be non-empty strings")
        self.lookup = lookup
        self._keys = [(_digest(key), user) for key, user in (keys or {}).items()]
        self.header_name = header_name
        self.query_param = query_param
        self.name = name
        self.challenge = f'APIKey header="{header_name}"' if header_name else "APIKey"

    def openapi_scheme(self) -> dict[str, Any]:
        """The key's place, as an OpenAPI Security Scheme Object (the header when both are read)."""
        if self.header_name is not None:
            scheme = {"type": "apiKey", "in": "header", "name": self.header_name}
            if self.query_param is not None:
                scheme["description"] = f"Or in the {self.query_param!r} query parameter."
            return scheme
        return {"type": "apiKey", "in": "query", "name": self.query_param}

    def _presented_key(self, request: Request) -> str | None:
        if self.header_name is not None:
            key = request.headers.get(self.header_name)
            if key:
                return key  # type: ignore[no-any-return]
        if self.query_param is not None:
            key = request.query_params.get(self.query_param)
            if key:
                return key
        return None

    def _match(self, key: str) -> Any:
        presented = _digest(key)
        found = None
        # Every entry is compared, without stopping at a match, so the time taken does not tell
        # which (or whether an early) entry matched.
        for digest, user in self._keys:
            if hmac.compare_digest(presented, digest):
                found = user
        return found

    async def authenticate(self, request: Request) -> AuthResult:
        """The user owning the presented key; ``None`` for no key or an unknown one."""
        key = self._presented_key(request)
        if key is None:
            return None
        user = await call_hook(self.lookup, key) if self.lookup is not None else self._match(key)
        if not is_authenticated(user):
            return None
        return user, user_scopes(user)


__all__ = ["APIKeyAuthBackend"]
