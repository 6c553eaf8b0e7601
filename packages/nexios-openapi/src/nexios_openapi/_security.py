"""Security schemes and requirements, learnt from the app without importing any auth package.

Two small duck-typed hooks (nexios-auth implements both; a third-party auth package can too):

- **Schemes.** A middleware (app-level or route-level) with a ``backends`` sequence is asked about
  each backend that has a ``name`` and an ``openapi_scheme()`` method returning an OpenAPI
  Security Scheme Object (``{"type": "http", "scheme": "bearer"}``...). The scheme is declared
  under the backend's name.
- **Requirements.** A handler guard (``nexios_core.guards.guards_of(handler)``) with an
  ``auth_scopes`` attribute (a collection of scope names, possibly empty) is an authentication
  check: the operation answers 401 (and 403 when scopes are required) and requires one of the
  schemes named by the guard's ``auth_backends`` (empty: any declared backend), with those scopes.

A route's own ``security=[...]`` wins over what the guards imply. Upstream apps wrote
``security=[{"bearerAuth": []}]`` without declaring the scheme (upstream always declared it):
``bearerAuth`` is declared as HTTP bearer (JWT) when used and not declared otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from nexios_core import ImproperlyConfigured, guards_of

logger = logging.getLogger("nexios.openapi")

UPSTREAM_BEARER = "bearerAuth"
UPSTREAM_BEARER_SCHEME: dict[str, Any] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def discover_schemes(middleware: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The security schemes of the auth backends used by ``middleware`` (see the module doc)."""
    schemes: dict[str, dict[str, Any]] = {}
    for layer in middleware:
        for backend in getattr(layer, "backends", None) or ():
            describe = getattr(backend, "openapi_scheme", None)
            name = getattr(backend, "name", None)
            if not callable(describe) or not isinstance(name, str) or not name:
                continue
            scheme = describe()
            if isinstance(scheme, dict) and "type" in scheme:
                schemes.setdefault(name, dict(scheme))
            else:
                logger.warning("OpenAPI: %r.openapi_scheme() returned %r, not a Security Scheme Object",
                               backend, scheme)
    return schemes


def guard_requirements(handler: Any) -> tuple[frozenset[str], frozenset[str]] | None:
    """``(backend names, scopes)`` required by the handler's authentication guards, or ``None``
    when it has none. Stacked guards all apply: their scopes add up, their backends narrow."""
    backends: frozenset[str] | None = None
    scopes: frozenset[str] | None = None
    for guard in guards_of(handler):
        guard_scopes = getattr(guard, "auth_scopes", None)
        if guard_scopes is None:
            continue
        scopes = (scopes or frozenset()) | frozenset(guard_scopes)
        named = frozenset(getattr(guard, "auth_backends", None) or ())
        if named:
            backends = named if backends is None else backends & named
    if scopes is None:
        return None
    return backends or frozenset(), scopes


def requirements_for(backends: frozenset[str], scopes: frozenset[str],
                     schemes: dict[str, dict[str, Any]]) -> list[dict[str, list[str]]]:
    """One alternative per scheme that may authenticate the request, each with the scopes."""
    names = sorted(backends) if backends else sorted(schemes)
    return [{name: sorted(scopes)} for name in names if name in schemes]


def check_requirements(security: Sequence[dict[str, list[str]]], schemes: dict[str, dict[str, Any]],
                       where: str) -> None:
    """Declare ``bearerAuth`` if used; refuse any other scheme name that is not declared."""
    for requirement in security:
        for name in requirement:
            if name in schemes:
                continue
            if name == UPSTREAM_BEARER:
                schemes[name] = dict(UPSTREAM_BEARER_SCHEME)
                continue
            raise ImproperlyConfigured(
                f"{where} requires security scheme {name!r}, which is not declared: declare it with "
                f"app.docs.add_security_scheme({name!r}, HTTPBearer(...)) (or OpenAPIConfig(security_schemes=...))"
            )


__all__ = ["UPSTREAM_BEARER", "check_requirements", "discover_schemes", "guard_requirements", "requirements_for"]
