"""Logging users in and out of a session, without depending on a session implementation.

Auth reads and writes the session through :class:`AuthSession`, the small interface it needs:
any dict-like object in ``scope["session"]`` works (nexios-session's, or another package's).
If the session has ``regenerate()``, login and logout call it so the session id changes
(protection against session fixation); ``regenerate`` may be sync or async.
"""

from __future__ import annotations

from typing import Any, Protocol

from nexios_core import ImproperlyConfigured, Request

from ._calls import call_hook
from .credentials import AUTH_SCOPE_KEY, USER_SCOPE_KEY, AuthCredentials
from .csrf import rotate_csrf_token
from .users import BaseUser, UnauthenticatedUser, user_scopes

SESSION_USER_KEY = "_auth_user_id"
"""The session key holding the logged-in user's id (shared by login and the session backend)."""


class AuthSession(Protocol):
    """What auth needs from a session: read, write and clear keys. ``regenerate()`` is optional
    and, when present, must give the session a new id while keeping its data."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default``."""
        ...

    def __setitem__(self, key: str, value: Any) -> None: ...

    def clear(self) -> None:
        """Remove every key."""
        ...


def session_of(request: Request) -> AuthSession:
    """The request's session, or a configuration error naming the fix."""
    session = request.scope.get("session")
    if session is None:
        raise ImproperlyConfigured(
            "Session authentication needs a session: add SessionMiddleware "
            "(nexios.session.middleware) before AuthenticationMiddleware"
        )
    return session  # type: ignore[no-any-return]


async def _regenerate(session: AuthSession) -> None:
    regenerate = getattr(session, "regenerate", None)
    if callable(regenerate):
        await call_hook(regenerate)


def identity_of(user: Any) -> Any:
    """The id to store for ``user``: ``user.identity`` (``BaseUser``), else ``user.id``."""
    if isinstance(user, BaseUser):
        identity = user.identity
    else:
        identity = getattr(user, "identity", None)
        if identity is None:
            identity = getattr(user, "id", None)
    if identity is None:
        raise ValueError(f"Cannot log in {user!r}: it has no identity (or id) to store")
    return identity


async def login(request: Request, user: Any, *, session_key: str = SESSION_USER_KEY) -> None:
    """Log ``user`` in: store its id in the session and give the session a new id.

    The new session id defeats session fixation (an attacker who planted a session id before
    login does not own the logged-in session). A session holding another user's id is cleared
    first, so nothing of theirs carries over. The CSRF token, if CSRF protection is on, is
    rotated too. ``request.user`` is the new user for the rest of the request.
    """
    session = session_of(request)
    identity = identity_of(user)
    previous = session.get(session_key)
    if previous is not None and previous != identity:
        session.clear()
    session[session_key] = identity
    await _regenerate(session)
    rotate_csrf_token(request)
    request.scope[USER_SCOPE_KEY] = user
    request.scope[AUTH_SCOPE_KEY] = AuthCredentials(user_scopes(user), "session")


async def logout(request: Request) -> None:
    """Log the current user out: clear the session and give it a new id. ``request.user`` is
    anonymous for the rest of the request."""
    session = session_of(request)
    session.clear()
    await _regenerate(session)
    rotate_csrf_token(request)
    request.scope[USER_SCOPE_KEY] = UnauthenticatedUser()
    request.scope[AUTH_SCOPE_KEY] = AuthCredentials()


__all__ = ["AuthSession", "SESSION_USER_KEY", "identity_of", "login", "logout", "session_of"]
