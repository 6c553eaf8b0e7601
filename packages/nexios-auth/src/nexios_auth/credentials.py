"""``request.auth``: how a request was authenticated and what it may do."""

from __future__ import annotations

from collections.abc import Iterable

USER_SCOPE_KEY = "user"
"""The ASGI scope key ``request.user`` reads."""
AUTH_SCOPE_KEY = "auth"
"""The ASGI scope key ``request.auth`` reads."""
CHALLENGES_SCOPE_KEY = "nexios.auth.challenges"
"""Where the middleware leaves each backend's ``WWW-Authenticate`` challenge for the decorator."""


class AuthCredentials:
    """The scopes granted to this request and the name of the backend that authenticated it
    (``None`` for anonymous requests)."""

    __slots__ = ("scopes", "backend")

    def __init__(self, scopes: Iterable[str] = (), backend: str | None = None) -> None:
        self.scopes: frozenset[str] = frozenset(scopes)
        self.backend = backend

    def has_scopes(self, required: Iterable[str]) -> bool:
        """Whether every scope in ``required`` was granted."""
        return self.scopes.issuperset(required)

    def __repr__(self) -> str:
        return f"AuthCredentials(scopes={sorted(self.scopes)!r}, backend={self.backend!r})"


__all__ = ["AUTH_SCOPE_KEY", "AuthCredentials", "CHALLENGES_SCOPE_KEY", "USER_SCOPE_KEY"]
