"""Session authentication: the user id kept in the session by :func:`nexios_auth.login`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nexios_core import Request

from .._calls import call_hook
from ..sessions import SESSION_USER_KEY, session_of
from ..users import is_authenticated, user_scopes
from .base import AuthResult


class SessionAuthBackend:
    """Authenticates requests whose session holds a user id.

    ``user_loader(user_id)`` (sync or async) returns the user, or ``None`` when the id no longer
    names one (a deleted account): the request is then anonymous. The granted scopes are the
    user's ``scopes``. Needs a session middleware (nexios-session's ``SessionMiddleware``)
    running before ``AuthenticationMiddleware``. ``cookie_name`` is only what the OpenAPI
    document names as the credential (the session middleware's cookie, ``session_id`` by default).
    """

    challenge: str | None = "Session"

    def __init__(
        self,
        user_loader: Callable[[Any], Any],
        *,
        session_key: str = SESSION_USER_KEY,
        name: str = "session",
        cookie_name: str = "session_id",
    ) -> None:
        if not callable(user_loader):
            raise TypeError("SessionAuthBackend needs a user_loader(user_id) callable")
        self.user_loader = user_loader
        self.session_key = session_key
        self.name = name
        self.cookie_name = cookie_name

    def openapi_scheme(self) -> dict[str, Any]:
        """The session cookie, as an OpenAPI Security Scheme Object."""
        return {"type": "apiKey", "in": "cookie", "name": self.cookie_name}

    async def authenticate(self, request: Request) -> AuthResult:
        """Load the user whose id the session holds; ``None`` when there is none."""
        user_id = session_of(request).get(self.session_key)
        if user_id is None:
            return None
        user = await call_hook(self.user_loader, user_id)
        if not is_authenticated(user):
            return None
        return user, user_scopes(user)


__all__ = ["SessionAuthBackend"]
