"""The ``auth`` decorator: only authenticated (and sufficiently scoped) requests reach a handler."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

from nexios_core import Forbidden, ImproperlyConfigured, Request, Unauthorized

from .credentials import AUTH_SCOPE_KEY, CHALLENGES_SCOPE_KEY, USER_SCOPE_KEY, AuthCredentials
from .users import is_authenticated

_Handler = TypeVar("_Handler", bound=Callable[..., Awaitable[Any]])

# The attribute nexios-di reads for guards (a string: nexios-auth does not depend on DI).
GUARDS_ATTRIBUTE = "__nexios_guards__"

DEFAULT_CHALLENGE = "Bearer"
"""The ``WWW-Authenticate`` value of a 401 when no backend offers a challenge of its own."""


def _names(value: str | Sequence[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset(value)


def _find_request(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Request:
    for value in args:
        if isinstance(value, Request):
            return value
    for value in kwargs.values():
        if isinstance(value, Request):
            return value
    raise TypeError("@auth() protects handlers that receive the request")


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
    scopes get 403. Needs ``AuthenticationMiddleware``. Put it below the route decorator::

        @app.get("/admin")
        @auth(scopes=["admin"])
        async def admin(request, response): ...
    """
    if callable(backends):
        raise TypeError("Write @auth() with parentheses (or @auth(['jwt']), @auth(scopes=[...]))")
    accepted = _names(backends)
    required = _names(scopes)

    def challenge_for(request: Request) -> str:
        if www_authenticate is not None:
            return www_authenticate
        offered: dict[str, str] = request.scope.get(CHALLENGES_SCOPE_KEY) or {}
        challenges = [value for name, value in offered.items() if not accepted or name in accepted]
        if challenges:
            return ", ".join(challenges)
        return DEFAULT_CHALLENGE

    def check(request: Request) -> None:
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
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(f"@auth() needs an async handler, got {handler!r}")

        # ``functools.wraps`` sets ``__wrapped__``: the router reads the handler's real signature
        # through it, so path parameters and dependencies bind exactly as without the decorator.
        @functools.wraps(handler)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            check(_find_request(args, kwargs))
            return await handler(*args, **kwargs)

        # Declared as a guard too: the router's injection plan runs guards before resolving
        # dependencies or validating inputs, so an anonymous request gets 401, not a 422.
        setattr(guarded, GUARDS_ATTRIBUTE, [*getattr(handler, GUARDS_ATTRIBUTE, ()), check])
        return cast(_Handler, guarded)

    return decorate


__all__ = ["DEFAULT_CHALLENGE", "auth"]
