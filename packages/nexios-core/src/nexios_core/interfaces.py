"""The seams: what a sibling package or a third-party plugin implements to plug into the core.

Every seam is a :class:`typing.Protocol`, so an implementation needs no base class and no import
from Nexios: matching the methods is enough (``mypy`` checks it where the object is passed in).
The runtime-checkable ones also answer ``isinstance``, which checks that the members exist, not
their signatures.

- :class:`Plugin`: a distribution's entry into an app (``app.install(plugin)``, or discovered
  through the ``nexios.plugins`` entry-point group; see :mod:`nexios_core.plugins`).
- :class:`HTTPMiddleware`, :class:`MiddlewareWithSetup`: ``(request, response, call_next)``
  middleware, as a function or an object, optionally with a start-up hook ``setup(app)``.
- :data:`Guard` with :func:`add_guard` and :func:`guards_of`: checks attached to a handler and
  run before it (``@auth()``, rate limits).
- :class:`SessionBackend`, :class:`CookieSessionBackend`: where ``nexios-session`` keeps session
  data.
- :class:`AuthenticationBackend`: who ``nexios-auth``'s middleware says made a request.
- :class:`ChannelLayer` (with its :class:`Transport`): WebSocket groups of one app.
- :class:`Dispatcher`: what finds the endpoint for each request (``nexios-routing``'s router,
  or :class:`~nexios_core.dispatch.HandlerDispatcher`), and :class:`AppView`, the read-only view
  of the app's settings it compiles against.

The guard, channel-layer, dispatcher and app-view seams are defined next to the code that uses them and
re-exported here, so each has exactly one definition.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .guards import Guard, add_guard, guards_of

if TYPE_CHECKING:
    from .app import App
    from .channels import ChannelLayer, Subscription, Transport
    from .dispatch import AppView, Dispatcher
    from .middleware.chain import CallNext
    from .request import Request
    from .responses import Response


# ---------------------------------------------------------------------------------------- plugins
@runtime_checkable
class Plugin(Protocol):
    """A reusable piece of an app, usually published as its own distribution.

    ``name`` identifies it: an app refuses a second plugin of the same name. ``setup(app)`` runs
    once, when the plugin is installed (``app.install(plugin)``): it adds middleware, exception
    handlers, start-up and shutdown hooks (``app.on_startup``, ``app.on_shutdown``)... Work that
    must wait for the server (opening connections) goes in those hooks, not in ``setup``.
    Options come from the plugin's constructor or from the app's config (``app.config``).
    """

    name: str

    def setup(self, app: App, /) -> None:
        """Attach the plugin to ``app``. Raise ``ImproperlyConfigured`` naming the fix when the
        app cannot host it (a missing setting, a plugin it needs not installed first)."""
        ...


# ---------------------------------------------------------------------------------------- middleware
class HTTPMiddleware(Protocol):
    """``async def middleware(request, response, call_next)``, or an object with that
    ``__call__`` (a ``BaseMiddleware`` subclass, say).

    ``await call_next()`` runs the rest of the chain and returns the response that will be sent.
    The middleware returns that response, a replacement, anything a handler may return, or
    ``None`` (the response ``call_next`` returned; the ``response`` builder when it was not
    called). Added with ``app.add_middleware(...)``.
    """

    # Positional-only: a function middleware may name its parameters as it likes.
    def __call__(self, request: Request, response: Response, call_next: CallNext, /) -> Awaitable[Any]:
        ...


@runtime_checkable
class MiddlewareWithSetup(HTTPMiddleware, Protocol):
    """A middleware with a start-up hook: the app calls ``setup(app)`` once, when it assembles
    its middleware (at start-up, before the first request; again after middleware is added).

    Read settings here (``app.config``) and refuse bad ones with ``ImproperlyConfigured``, so a
    mistake stops the server from starting instead of failing the first request. The hook is
    optional: middleware without one is an :class:`HTTPMiddleware`. It may run more than once
    for the same app, so it must be idempotent.
    """

    def setup(self, app: App, /) -> None:
        ...


# ---------------------------------------------------------------------------------------- sessions
@runtime_checkable
class SessionBackend(Protocol):
    """Server-side session storage, keyed by session id (files, Redis, a database).

    Implementations must treat ``max_age`` as a hard deadline: once it has passed since the last
    :meth:`save`, :meth:`load` returns ``None``. The session middleware passes only ids it
    generated itself (43 URL-safe base64 characters, 256 random bits) whose signed cookie checked
    out, so an id is safe to use as a key or a file name. Data is JSON-compatible.
    """

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The data saved for ``session_id``, or ``None`` when it is unknown or expired."""
        ...

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        """Store ``data`` for ``session_id``, replacing what was there, for ``max_age`` seconds."""
        ...

    async def delete(self, session_id: str) -> None:
        """Forget ``session_id`` (no error when it is unknown)."""
        ...


@runtime_checkable
class CookieSessionBackend(Protocol):
    """Session data carried by the cookie itself. The encoding must be tamper-proof (signed).

    The methods are synchronous because they only compute: that is what lets the session
    middleware decode the cookie lazily, on the handler's first use of ``request.session``.
    """

    def encode(self, session_id: str, data: Mapping[str, Any], max_age: int) -> str:
        """The cookie value carrying ``session_id`` and ``data`` (cookie-safe characters only)."""
        ...

    def decode(self, cookie_value: str, max_age: int) -> tuple[str, dict[str, Any]] | None:
        """``(session_id, data)`` from a cookie value, or ``None`` when it is tampered, malformed
        or older than ``max_age`` seconds. Must never raise for bad input."""
        ...


# ---------------------------------------------------------------------------------------- authentication
AuthResult = tuple[Any, Iterable[str]] | None
"""What :meth:`AuthenticationBackend.authenticate` returns: ``(user, scopes)``, or ``None`` when
the request carries no credentials the backend accepts (missing, malformed, expired, unknown...)."""


@runtime_checkable
class AuthenticationBackend(Protocol):
    """An authentication backend (``nexios-auth``'s ``AuthenticationMiddleware`` runs them).

    ``name`` identifies it in ``request.auth.backend`` and in ``@auth(["name"])``. Three optional
    members: a ``challenge`` attribute, the ``WWW-Authenticate`` value a 401 sends when this
    backend could have authenticated the request; ``setup(app)``, called once at start-up to
    read the app's config; and ``openapi_scheme()``, returning the OpenAPI Security Scheme Object
    that describes the credentials it reads (``{"type": "http", "scheme": "bearer"}``...): the
    OpenAPI document declares it under the backend's ``name`` and requires it on the operations
    ``@auth`` protects.

    Invalid credentials are not errors: return ``None`` and the request stays anonymous, so the
    ``auth`` decorator answers 401. Raise only for failures that are not the client's fault (a
    database that is down).
    """

    name: str

    async def authenticate(self, request: Request) -> AuthResult:
        """Return ``(user, scopes)`` for a request this backend recognises, else ``None``."""
        ...


# ---------------------------------------------------------------------------------------- re-exports
# Defined with the code that uses them, and loaded on first use: importing the seams stays cheap.
_DEFINED_ELSEWHERE = {
    "ChannelLayer": "channels",
    "Transport": "channels",
    "Subscription": "channels",
    "Dispatcher": "dispatch",
    "AppView": "dispatch",
}


if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name is an error for them

    def __getattr__(name: str) -> Any:
        home = _DEFINED_ELSEWHERE.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__package__}.{home}"), name)
        globals()[name] = value
        return value


__all__ = [
    "AppView",
    "AuthResult",
    "AuthenticationBackend",
    "ChannelLayer",
    "CookieSessionBackend",
    "Dispatcher",
    "Guard",
    "HTTPMiddleware",
    "MiddlewareWithSetup",
    "Plugin",
    "SessionBackend",
    "Subscription",
    "Transport",
    "add_guard",
    "guards_of",
]
