"""Upstream Nexios's ``JWTAuthBackend(authenticate_func)`` (needs PyJWT, like the backend).

The backend keeps ``nexios_auth``'s verification (an algorithm allowlist, ``exp`` required):
upstream's ``authenticate_func`` only decides who the user is. Upstream's code called it with the
token's claims as keyword arguments, its guides with the user id: a function whose parameters are
claim names (or ``**claims``) gets those claims, one taking a single other parameter gets the
``sub`` claim. The allowlist comes from ``algorithms=``/``algorithm=`` or the app's
``config.jwt_algorithms``; without either the app refuses to start (upstream fell back to HS256).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from nexios_auth.backends.jwt import JWTAuthBackend as _JWTAuthBackend
from nexios_auth.backends.jwt import Key


class JWTAuthBackend(_JWTAuthBackend):
    """``nexios_auth``'s JWT backend, also built upstream's ways: ``JWTAuthBackend(authenticate_func)``
    or ``JWTAuthBackend(secret_key=..., algorithm="HS256", authenticate_func=...)``."""

    def __init__(
        self,
        authenticate_func: Callable[..., Any] | Key | None = None,
        *,
        secret_key: Key | None = None,
        algorithms: str | Sequence[str] | None = None,
        algorithm: str | None = None,
        user_loader: Callable[[dict[str, Any]], Any] | None = None,
        token_prefix: str = "Bearer",
        auth_header_name: str = "Authorization",
        **options: Any,
    ) -> None:
        if authenticate_func is not None and not callable(authenticate_func):
            # Ours: JWTAuthBackend(secret_key, algorithms=...).
            secret_key, authenticate_func = authenticate_func, None
        if token_prefix.lower() != "bearer" or auth_header_name.lower() != "authorization":
            raise TypeError(
                "JWTAuthBackend reads `Authorization: Bearer <token>` only; token_prefix and "
                "auth_header_name cannot change that"
            )
        if algorithm is not None:
            if algorithms is not None:
                raise TypeError("Pass algorithms=[...] or algorithm=..., not both")
            algorithms = [algorithm]
        if authenticate_func is not None:
            if user_loader is not None:
                raise TypeError("Pass authenticate_func or user_loader, not both")
            user_loader = claims_loader(authenticate_func)
        super().__init__(secret_key, algorithms=algorithms, user_loader=user_loader, **options)


def claims_loader(authenticate_func: Callable[..., Any]) -> Callable[[dict[str, Any]], Any]:
    """A ``user_loader(claims)`` calling upstream's ``authenticate_func`` (see the module
    docstring for what it receives). Decided once, from its signature."""
    parameters = inspect.signature(authenticate_func).parameters.values()
    takes_all = any(p.kind is p.VAR_KEYWORD for p in parameters)
    named = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    required = [p.name for p in parameters if p.default is p.empty and p.kind is not p.VAR_KEYWORD
                and p.kind is not p.VAR_POSITIONAL]

    def arguments(claims: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if takes_all:
            return (), claims
        chosen = {name: claims[name] for name in named if name in claims}
        if len(required) == 1 and required[0] not in claims:
            return (claims.get("sub"),), {}  # get_user_by_id(user_id): the guides' form
        return (), chosen

    async def load(claims: dict[str, Any]) -> Any:
        args, kwargs = arguments(claims)
        user = authenticate_func(*args, **kwargs)
        if inspect.isawaitable(user):
            user = await user
        return user

    return load


__all__ = ["JWTAuthBackend", "claims_loader"]
