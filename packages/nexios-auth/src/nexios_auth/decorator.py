"""The ``auth`` decorator: only authenticated (and sufficiently scoped) requests reach a handler."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

from nexios_core import (
    Forbidden,
    HTTPConnection,
    ImproperlyConfigured,
    Unauthorized,
    add_guard,
    is_async_callable,
    is_routed,
)

from .credentials import AUTH_SCOPE_KEY, CHALLENGES_SCOPE_KEY, USER_SCOPE_KEY, AuthCredentials
from .users import is_authenticated

_Handler = TypeVar("_Handler", bound=Callable[..., Awaitable[Any]])

DEFAULT_CHALLENGE = "Bearer"
"""The ``WWW-Authenticate`` value of a 401 when no backend offers a challenge of its own."""


def _names(value: str | Sequence[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset(value)


def _find_request(args: tuple[Any, ...], kwargs: dict[str, Any]) -> HTTPConnection | None:
    # The request, or the WebSocket of a WebSocket handler: both are HTTPConnections.
    for value in args:
        if isinstance(value, HTTPConnection):
            return value
    for value in kwargs.values():
        if isinstance(value, HTTPConnection):
            return value
    return None


def auth(
    backends: str | Sequence[str] | None = None,
    *,
    scopes: str | Sequence[str] | None = None,
    www_authenticate: str | None = None,
) -> Callable[[_Handler], _Handler]:
    """Protect a handler.

    ``@auth()`` requires an authenticated user; ``@auth(["jwt"])`` requires that one of the named
    backends authenticated the request; ``@auth(scopes=["admin"])`` requires every listed scope.
    An anonymous request (or one authenticated by another backend) gets 401 with a
    ``WWW-Authenticate`` challenge (the backends' own, ``www_authenticate`` to override); missing
    scopes get 403. Needs ``AuthenticationMiddleware``. Write it below the route decorator::

        @app.get("/admin")
        @auth(scopes=["admin"])
        async def admin(request, response): ...

    Written above it, it protects the route all the same: the check is attached to the handler
    the route decorator registered.
    """
    if callable(backends):
        raise TypeError("Write @auth() with parentheses (or @auth(['jwt']), @auth(scopes=[...]))")
    accepted = _names(backends)
    required = _names(scopes)

    def challenge_for(request: HTTPConnection) -> str:
        if www_authenticate is not None:
            return www_authenticate
        offered: dict[str, str] = request.scope.get(CHALLENGES_SCOPE_KEY) or {}
        challenges = [value for name, value in offered.items() if not accepted or name in accepted]
        if challenges:
            return ", ".join(challenges)
        return DEFAULT_CHALLENGE

    def check(request: HTTPConnection) -> None:
        scope = request.scope
        if USER_SCOPE_KEY not in scope:
            raise ImproperlyConfigured(
                "@auth() needs AuthenticationMiddleware: app.add_middleware(AuthenticationMiddleware(...))"
            )
        credentials = scope.get(AUTH_SCOPE_KEY)
        if not isinstance(credentials, AuthCredentials):
            credentials = AuthCredentials()
        if not is_authenticated(scope[USER_SCOPE_KEY]) or (
            accepted and credentials.backend not in accepted
        ):
            raise Unauthorized(
                detail="Authentication required",
                headers={"WWW-Authenticate": challenge_for(request)},
            )
        if not credentials.has_scopes(required):
            raise Forbidden(detail="Missing required scope")

    # What the guard demands, for documentation generators (nexios-openapi reads these two
    # attributes of a handler's guards): the accepted backends (empty: any) and required scopes.
    check.auth_backends = tuple(sorted(accepted))  # type: ignore[attr-defined]
    check.auth_scopes = tuple(sorted(required))  # type: ignore[attr-defined]

    def decorate(handler: _Handler) -> _Handler:
        if not callable(handler) or inspect.isgeneratorfunction(handler) or inspect.isasyncgenfunction(handler):
            raise TypeError(f"@auth() protects a handler function, got {handler!r}")
        if is_routed(handler):
            # Written above the route decorator: the router holds `handler`, not the wrapper
            # returned below, so the check goes on `handler` itself (read when routes compile).
            try:
                add_guard(handler, check)
            except (AttributeError, TypeError):
                raise ImproperlyConfigured(
                    f"@auth() above the route decorator cannot protect {handler!r}; "
                    "write @auth() below @app.get(...)"
                ) from None

        # ``functools.wraps`` sets ``__wrapped__``: the router reads the handler's real signature
        # through it, so path parameters and dependencies bind exactly as without the decorator.
        # The router runs `check` as a guard before anything else; called directly, the wrapper
        # checks the connection it is given (a handler that takes none is only reached routed).
        def check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            connection = _find_request(args, kwargs)
            if connection is not None:
                check(connection)

        @functools.wraps(handler)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            check_arguments(args, kwargs)
            return await handler(*args, **kwargs)

        @functools.wraps(handler)
        def guarded_sync(*args: Any, **kwargs: Any) -> Any:
            check_arguments(args, kwargs)
            return handler(*args, **kwargs)

        # A plain `def` handler stays one: the router runs it in a worker thread.
        guarded: Callable[..., Any] = guarded_async if is_async_callable(handler) else guarded_sync
        # Declared as a guard too: the router's injection plan runs guards before resolving
        # dependencies or validating inputs, so an anonymous request gets 401, not a 422.
        add_guard(guarded, check, inherit_from=handler)
        return cast(_Handler, guarded)

    return decorate


__all__ = ["DEFAULT_CHALLENGE", "auth"]
