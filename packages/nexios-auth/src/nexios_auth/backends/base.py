"""The interface every authentication backend implements (ours and third parties')."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from nexios_core.request import Request

AuthResult = tuple[Any, Iterable[str]] | None
"""What ``authenticate`` returns: ``(user, scopes)``, or ``None`` when the request carries no
credentials this backend accepts (missing, malformed, expired, unknown...)."""


@runtime_checkable
class AuthenticationBackend(Protocol):
    """An authentication backend.

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


__all__ = ["AuthResult", "AuthenticationBackend"]
