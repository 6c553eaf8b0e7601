"""``AuthenticationMiddleware``: who is making this request?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nexios_core import (
    BaseMiddleware,
    CallNext,
    ImproperlyConfigured,
    Request,
    Response,
    WebSocket,
    WebSocketCallNext,
)

from .backends.base import AuthenticationBackend
from .credentials import AUTH_SCOPE_KEY, CHALLENGES_SCOPE_KEY, USER_SCOPE_KEY, AuthCredentials
from .users import UnauthenticatedUser

if TYPE_CHECKING:
    from nexios_core.checks import Audit


class AuthenticationMiddleware(BaseMiddleware):
    """Sets ``request.user`` and ``request.auth`` for every request (and ``websocket.user`` and
    ``websocket.auth`` for every WebSocket connection, from its handshake).

    Backends are tried in order and the first one that recognises the request wins: its user goes
    to ``request.user`` and ``request.auth`` is an :class:`AuthCredentials` with the granted
    scopes and the backend's ``name``. When none does, ``request.user`` is an
    :class:`UnauthenticatedUser` (falsy) and ``request.auth`` has no scopes and no backend.
    The middleware never refuses a request itself: protect handlers with ``@auth()``.

    ``AuthenticationMiddleware(backend=JWTAuthBackend(...))`` or
    ``AuthenticationMiddleware(backends=[SessionAuthBackend(...), APIKeyAuthBackend(...)])``.
    """

    def __init__(
        self,
        backend: AuthenticationBackend | Sequence[AuthenticationBackend] | None = None,
        *,
        backends: Sequence[AuthenticationBackend] | None = None,
    ) -> None:
        chosen: list[AuthenticationBackend] = []
        if backend is not None:
            # A list passed as ``backend`` is accepted: Nexios 2.x documented it that way.
            chosen.extend(backend if isinstance(backend, Sequence) else [backend])
        if backends is not None:
            chosen.extend(backends)
        if not chosen:
            raise ImproperlyConfigured("AuthenticationMiddleware needs backend=... or backends=[...]")
        names: set[str] = set()
        for item in chosen:
            name = getattr(item, "name", None)
            if not isinstance(name, str) or not name:
                raise ImproperlyConfigured(f"Authentication backend {item!r} needs a non-empty name")
            if name in names:
                raise ImproperlyConfigured(
                    f"Two authentication backends are named {name!r}; give one another name=..."
                )
            if not callable(getattr(item, "authenticate", None)):
                raise ImproperlyConfigured(f"Authentication backend {item!r} has no authenticate()")
            names.add(name)
        self.backends: tuple[AuthenticationBackend, ...] = tuple(chosen)
        # Computed once: the decorator picks from these when it answers 401.
        self._challenges: dict[str, str] = {
            item.name: challenge
            for item in chosen
            if (challenge := getattr(item, "challenge", None))
        }

    def check_deployment(self, audit: Audit) -> None:
        """``nexios check``: each backend reports on its own settings."""
        for backend in self.backends:
            audit.visit(backend)

    def setup(self, app: Any) -> None:
        """Let each backend read the app's config (a JWT backend falls back to its secret key)."""
        for backend in self.backends:
            setup = getattr(backend, "setup", None)
            if callable(setup):
                setup(app)

    async def authenticate(self, request: Request) -> tuple[Any, AuthCredentials]:
        """Run the backends for ``request``: ``(user, credentials)``, anonymous if none matched."""
        for backend in self.backends:
            result = await backend.authenticate(request)
            if result is not None:
                user, scopes = result
                return user, AuthCredentials(scopes, backend.name)
        return UnauthenticatedUser(), AuthCredentials()

    async def __call__(self, request: Request, response: Response, call_next: CallNext) -> Any:
        await self._identify(request)
        return await call_next()

    async def handle_websocket(self, websocket: WebSocket, call_next: WebSocketCallNext) -> None:
        """The same for a WebSocket connection, from its handshake: ``websocket.user`` and
        ``websocket.auth`` are set before the handler (and ``@auth()`` on it) runs."""
        await self._identify(websocket)
        await call_next()

    async def _identify(self, connection: Any) -> None:
        # Backends read only what requests and WebSockets share (headers, cookies, query, session).
        user, credentials = await self.authenticate(connection)
        scope = connection.scope
        scope[USER_SCOPE_KEY] = user
        scope[AUTH_SCOPE_KEY] = credentials
        scope[CHALLENGES_SCOPE_KEY] = self._challenges


__all__ = ["AuthenticationMiddleware"]
