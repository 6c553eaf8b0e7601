"""User objects: what ``request.user`` holds after authentication.

Third parties implement :class:`BaseUser` for their own user models (an ORM row, a directory
entry...). Anything a backend returns works as long as it has ``is_authenticated``; subclassing
``BaseUser`` adds truthiness, ``identity`` for sessions and scope helpers.
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import Iterable
from typing import Any

from nexios_core import ImproperlyConfigured


class BaseUser(abc.ABC):
    """The interface of a user. Subclasses provide :attr:`identity` and :attr:`display_name`.

    A user is truthy when authenticated, so ``if request.user:`` reads naturally.
    """

    @property
    def is_authenticated(self) -> bool:
        """Whether this user proved who they are (``False`` only for anonymous users)."""
        return True

    @property
    @abc.abstractmethod
    def identity(self) -> Any:
        """A stable, unique identifier: what :func:`nexios_auth.login` stores in the session and
        what a backend's ``user_loader`` receives back. Keep it JSON-serialisable."""

    @property
    @abc.abstractmethod
    def display_name(self) -> str:
        """A human-readable name."""

    @property
    def scopes(self) -> frozenset[str]:
        """What this user may do, used when a backend has no scopes of its own to grant."""
        return frozenset()

    def has_scope(self, scope: str) -> bool:
        """Whether :attr:`scopes` contains ``scope``."""
        return scope in self.scopes

    def __bool__(self) -> bool:
        return self.is_authenticated


class SimpleUser(BaseUser):
    """A user with a name, an optional id and scopes: enough for fixed user tables and tokens.

    ``identity`` is ``id`` when given, else ``username``.
    """

    def __init__(
        self,
        username: str,
        scopes: Iterable[str] = (),
        *,
        id: Any = None,  # noqa: A002 - the natural name for a user id
        display_name: str | None = None,
    ) -> None:
        if isinstance(scopes, str):  # "admin" would otherwise become {"a", "d", "m", ...}
            scopes = scopes.split()
        self.username = username
        self.id = id
        self._scopes = frozenset(scopes)
        self._display_name = display_name

    @property
    def identity(self) -> Any:
        return self.id if self.id is not None else self.username

    @property
    def display_name(self) -> str:
        return self._display_name if self._display_name is not None else self.username

    @property
    def scopes(self) -> frozenset[str]:
        return self._scopes

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SimpleUser):
            return NotImplemented
        return (self.username, self.id, self._scopes) == (other.username, other.id, other._scopes)

    def __hash__(self) -> int:
        return hash((self.username, self.id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(username={self.username!r}, scopes={sorted(self._scopes)!r})"


class UnauthenticatedUser(BaseUser):
    """The anonymous user: falsy, ``is_authenticated`` is ``False``, no scopes."""

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def identity(self) -> None:
        return None

    @property
    def display_name(self) -> str:
        return ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnauthenticatedUser)

    def __hash__(self) -> int:
        return hash(UnauthenticatedUser)

    def __repr__(self) -> str:
        return "UnauthenticatedUser()"


def is_authenticated(user: Any) -> bool:
    """Whether ``user`` counts as logged in: its ``is_authenticated`` when it has one, else
    whether there is a user at all.

    ``is_authenticated`` may be a property (as on :class:`BaseUser`) or, on a custom user class,
    a plain method: a method is called, never taken as true for merely existing. A coroutine
    method is a mistake this synchronous check cannot await, and is refused loudly.
    """
    value = getattr(user, "is_authenticated", user is not None)
    if callable(value):
        value = value()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()  # never awaited: close it so Python does not warn about it
            raise ImproperlyConfigured(
                f"{type(user).__name__}.is_authenticated must be a property or a plain method, "
                "not a coroutine"
            )
    return bool(value)


def user_scopes(user: Any) -> frozenset[str]:
    """The scopes a user object declares (``user.scopes``), or none."""
    scopes = getattr(user, "scopes", None)
    if not scopes:
        return frozenset()
    if isinstance(scopes, str):
        return frozenset(scopes.split())
    return frozenset(str(scope) for scope in scopes)


__all__ = ["BaseUser", "SimpleUser", "UnauthenticatedUser", "is_authenticated", "user_scopes"]
