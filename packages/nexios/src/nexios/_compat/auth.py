"""Upstream Nexios's authentication spellings: ``SimpleUser(username, permissions=[...])`` with
``has_permission``; ``SessionAuthBackend(authenticate_func=..., user_key=...)`` and
``APIKeyBackend(key_name=..., authenticate_func=...)``; and custom backends written upstream's way
(``async def authenticate(self, request, response)`` returning ``(user, "auth-type")``), which the
facade's ``AuthenticationMiddleware`` accepts. (``JWTAuthBackend(authenticate_func)`` is in
:mod:`nexios._compat.jwt`: it needs PyJWT.)"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import nexios_auth
from nexios_auth import AuthCredentials, AuthenticationBackend, AuthResult
from nexios_core import Request, Response


class BaseUser(nexios_auth.BaseUser):
    """``nexios_auth.BaseUser`` for user classes written upstream's way: ``identity`` defaults to
    the user's ``id`` attribute and ``display_name`` to ``get_display_name()`` (or the identity);
    both may also be assigned in ``__init__``."""

    @property
    def identity(self) -> Any:
        """The user's ``id`` unless an identity was assigned."""
        return self.__dict__.get("_identity", getattr(self, "id", None))

    @identity.setter
    def identity(self, value: Any) -> None:
        self.__dict__["_identity"] = value

    @property
    def display_name(self) -> str:
        """``get_display_name()`` when the class defines it, else the identity as text."""
        if "_display_name" in self.__dict__:
            return str(self.__dict__["_display_name"])
        get_display_name = getattr(self, "get_display_name", None)
        return str(get_display_name()) if callable(get_display_name) else str(self.identity or "")

    @display_name.setter
    def display_name(self, value: str) -> None:
        self.__dict__["_display_name"] = value

    @classmethod
    def __subclasshook__(cls, subclass: type) -> bool:
        # Upstream's SimpleUser and UnauthenticatedUser are BaseUsers: so is every user class
        # nexios_auth defines, for ``isinstance(request.user, BaseUser)`` checks written upstream's
        # way. Only for BaseUser itself: a user class deriving from it keeps plain subclassing.
        # The MRO, not issubclass(): nexios_auth.BaseUser's own check asks each of its subclasses
        # (this one included) in turn, so issubclass() here would recurse without end.
        if cls is BaseUser and nexios_auth.BaseUser in getattr(subclass, "__mro__", ()):
            return True
        return NotImplemented  # type: ignore[no-any-return]


class SimpleUser(nexios_auth.SimpleUser):
    """``nexios_auth.SimpleUser`` that also takes upstream's ``permissions=[...]`` (what
    ``nexios_auth`` calls scopes) and answers ``has_permission(name)``."""

    def __init__(
        self,
        username: str,
        permissions: Iterable[str] | None = None,
        *,
        scopes: Iterable[str] = (),
        id: Any = None,  # noqa: A002 - the natural name for a user id
        display_name: str | None = None,
    ) -> None:
        chosen = [*(permissions or ()), *scopes] if not isinstance(permissions, str) else permissions
        super().__init__(username, chosen, id=id, display_name=display_name)

    @property
    def permissions(self) -> list[str]:
        """The user's permissions (its scopes), sorted."""
        return sorted(self.scopes)

    def has_permission(self, permission: str) -> bool:
        """Whether the user holds ``permission``."""
        return self.has_scope(permission)



def loader_argument(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``func`` itself: refuses a non-callable with a message naming the upstream argument."""
    if not callable(func):
        raise TypeError(f"{name} must be a function, got {func!r}")
    return func


class SessionAuthBackend(nexios_auth.SessionAuthBackend):
    """``nexios_auth.SessionAuthBackend`` also built upstream's way:
    ``SessionAuthBackend(user_key="user_id", authenticate_func=get_user_by_id)``."""

    def __init__(
        self,
        user_loader: Callable[[Any], Any] | None = None,
        *,
        authenticate_func: Callable[[Any], Any] | None = None,
        user_key: str | None = None,
        session_key: str | None = None,
        **options: Any,
    ) -> None:
        loader = user_loader if user_loader is not None else authenticate_func
        if loader is None:
            raise TypeError("SessionAuthBackend needs authenticate_func=... (or user_loader=...): a "
                            "function that returns the user for the id kept in the session")
        key = session_key if session_key is not None else user_key
        extra = {"session_key": key} if key is not None else {}
        super().__init__(loader_argument(loader, "authenticate_func"), **extra, **options)


class APIKeyBackend(nexios_auth.APIKeyAuthBackend):
    """Upstream's API key backend: ``APIKeyBackend(key_name="X-API-Key",
    authenticate_func=get_user_by_api_key)`` (``user_loader=`` too), on
    ``nexios_auth.APIKeyAuthBackend`` (keys compared by digest, in constant time)."""

    def __init__(
        self,
        key_name: str = "X-API-Key",
        authenticate_func: Callable[[str], Any] | None = None,
        *,
        user_loader: Callable[[str], Any] | None = None,
        **options: Any,
    ) -> None:
        lookup = authenticate_func if authenticate_func is not None else user_loader
        if lookup is None:
            raise TypeError("APIKeyBackend needs authenticate_func=...: a function returning the user for a key")
        super().__init__(loader_argument(lookup, "authenticate_func"), header_name=key_name, **options)


class UpstreamBackend:
    """An upstream-style custom backend (``authenticate(request, response)`` returning
    ``(user, auth_type)``) seen through ``nexios_auth``'s interface."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.name = f"upstream:{type(backend).__name__}"
        self.challenge = getattr(backend, "challenge", None)

    async def authenticate(self, request: Request) -> tuple[Any, str] | None:
        """``(user, auth_type)`` for an authenticated request, else ``None``."""
        result = self.backend.authenticate(request, Response())
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            return None
        if hasattr(result, "success") and hasattr(result, "identity"):
            # Upstream 3's AuthResult(success, identity, scope): the identity is the user.
            if result.success is not True:
                return None
            return SimpleUser(str(result.identity)), str(getattr(result, "scope", None) or self.name)
        user, auth_type = result if isinstance(result, tuple) else (result, None)
        # Only a user object that says it is authenticated counts: a stray truthy value does not.
        if not hasattr(user, "is_authenticated") or not nexios_auth.users.is_authenticated(user):
            return None
        return user, str(auth_type) if auth_type is not None else self.name


def is_upstream_backend(backend: Any) -> bool:
    """Whether ``backend`` is written upstream's way: its ``authenticate`` takes the response too."""
    authenticate = getattr(backend, "authenticate", None)
    if not callable(authenticate):
        return False
    try:
        parameters = [
            parameter for parameter in inspect.signature(authenticate).parameters.values()
            if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return False
    return len(parameters) == 2


class AuthenticationMiddleware(nexios_auth.AuthenticationMiddleware):
    """``nexios_auth.AuthenticationMiddleware`` that also takes upstream-style custom backends
    (``authenticate(self, request, response)`` returning ``(user, "auth-type")``): the auth type
    is what ``@auth(["auth-type"])`` then accepts."""

    def __init__(
        self,
        backend: AuthenticationBackend | Sequence[AuthenticationBackend] | None = None,
        *,
        backends: Sequence[AuthenticationBackend] | None = None,
        user_model: Any = None,
    ) -> None:
        if user_model is not None:
            raise TypeError(
                "AuthenticationMiddleware(user_model=...) is upstream Nexios 3's API, which Nexios does "
                "not have: give each backend a user loader (authenticate_func=... / user_loader=...)"
            )
        chosen = [*(backend if isinstance(backend, Sequence) else [backend] if backend is not None else []),
                  *(backends or ())]
        adapted = [UpstreamBackend(item) if is_upstream_backend(item) else item for item in chosen]
        super().__init__(backends=adapted)

    async def authenticate(self, request: Request) -> tuple[Any, AuthCredentials]:
        """Like ``nexios_auth``'s, except that an upstream-style backend names the auth type."""
        for backend in self.backends:
            result = await backend.authenticate(request)
            if result is None:
                continue
            user, granted = result
            if isinstance(backend, UpstreamBackend):
                return user, AuthCredentials((), str(granted))
            return user, AuthCredentials(granted, backend.name)
        return nexios_auth.UnauthenticatedUser(), AuthCredentials()


__all__ = ["APIKeyBackend", "AuthResult", "AuthenticationMiddleware", "BaseUser", "SessionAuthBackend", "SimpleUser",
           "UpstreamBackend", "is_upstream_backend"]
