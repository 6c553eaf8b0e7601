"""Upstream Nexios's session API over ``nexios_session``.

- :class:`BaseSessionInterface` is what ``request.session`` is under the facade's
  ``SessionMiddleware``: the ``nexios_session.Session`` object with upstream's method names
  (``set_session``, ``get_session``, ``delete_session``, ``get_all``, ``is_empty``,
  ``get_expiration_time``...).
- Upstream's custom session classes (``class MySession(BaseSessionInterface)`` with
  ``async load()``/``save()``, given as the ``manager`` setting) keep working: they are driven
  by :class:`SessionManagerBackend`, a ``SessionBackend``. The session id they see always comes
  from a cookie this app signed and checked, never from the raw cookie (upstream handed the raw
  cookie value to the file manager as a file name).
"""

from __future__ import annotations

from collections.abc import ItemsView, Mapping
from datetime import datetime
from typing import Any

import nexios_session
from nexios_session import DEFAULT_MAX_AGE, Session, new_session_id
from nexios_session.session import SessionLoader


class BaseSessionInterface(Session):
    """The session object, with upstream Nexios's names; also the base of upstream-style custom
    sessions (override :meth:`load` and :meth:`save`, read and write ``self._data``).

    ``BaseSessionInterface(session_key)`` (upstream's constructor) and
    ``BaseSessionInterface(data, session_id=..., max_age=...)`` both work.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | str | None = None,
        *,
        session_key: str | None = None,
        session_id: str | None = None,
        max_age: int = DEFAULT_MAX_AGE,
        loader: SessionLoader | None = None,
    ) -> None:
        if isinstance(data, str):  # upstream: BaseSessionInterface(session_key)
            session_key, data = data, None
        super().__init__(data, session_id=session_id or session_key, max_age=max_age, loader=loader)

    # ---------------------------------------------------------------- upstream's names
    @property
    def session_key(self) -> str | None:
        """The session's id (``None`` for a session the request did not bring)."""
        self._load()
        return self._session_id

    @session_key.setter
    def session_key(self, value: str | None) -> None:
        self._session_id = value

    def get_session_key(self) -> str:
        """The session's id (a new session gets one)."""
        return self.session_id

    @staticmethod
    def generate_sid() -> str:
        """A new, unguessable session id."""
        return new_session_id()

    def set_session(self, key: str, value: Any) -> None:
        """``session[key] = value``."""
        self[key] = value

    def get_session(self, key: str, default: Any = None) -> Any:
        """``session.get(key, default)``."""
        return self.get(key, default)

    def delete_session(self, key: str) -> None:
        """Remove ``key`` if present (no error when it is not)."""
        if key in self:
            del self[key]

    def get_all(self) -> ItemsView[str, Any]:
        """``session.items()``."""
        return self.items()

    def is_empty(self) -> bool:
        """Whether the session holds no data."""
        return not self._load()

    def get_expiration_time(self) -> datetime:
        """When the session expires if saved now (``get_expiry()``)."""
        return self.get_expiry()

    def get_expiry_age(self) -> int:
        """Seconds the session lives once saved (``max_age``)."""
        return self.max_age

    def set_max_age(self, seconds: int) -> None:
        """Use ``seconds`` as this object's ``max_age`` (what a custom session's ``save`` reads
        from :meth:`get_expiry_age`)."""
        self._max_age = seconds

    @property
    def _session_cache(self) -> dict[str, Any]:
        """Upstream's code names the data ``_session_cache`` (its guide: ``_data``); a custom
        session written against either reads and writes the same dict."""
        return self._load()

    @_session_cache.setter
    def _session_cache(self, value: dict[str, Any]) -> None:
        self._data = value

    # ---------------------------------------------------------------- custom sessions
    async def load(self) -> None:
        """Upstream-style custom sessions read their data for ``self.session_key`` into
        ``self._data`` here."""
        raise NotImplementedError(f"{type(self).__name__} must implement async load()")

    async def save(self) -> None:
        """Upstream-style custom sessions store ``self._data`` under ``self.session_key`` here
        (for ``get_expiry_age()`` seconds)."""
        raise NotImplementedError(f"{type(self).__name__} must implement async save()")

    async def delete(self) -> None:
        """Forget the session stored under ``self.session_key`` (by default: save it empty)."""
        self._data = {}
        await self.save()


class SessionManagerBackend:
    """A ``nexios_session.SessionBackend`` that stores sessions with an upstream-style custom
    session class (``manager=MySession``): one instance per load, save or delete."""

    def __init__(self, manager: type[BaseSessionInterface]) -> None:
        self.manager = manager

    def _instance(self, session_id: str) -> BaseSessionInterface:
        return self.manager(session_id)

    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The data ``manager.load()`` finds for ``session_id`` (``None``: none)."""
        session = self._instance(session_id)
        await session.load()
        data = session.to_dict()
        return data or None

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        """Store ``data`` through ``manager.save()``."""
        session = self._instance(session_id)
        session.set_max_age(max_age)
        session.update(data)
        await session.save()

    async def delete(self, session_id: str) -> None:
        """Forget ``session_id`` through ``manager.delete()``."""
        await self._instance(session_id).delete()


class SessionMiddleware(nexios_session.SessionMiddleware):
    """``nexios_session.SessionMiddleware`` whose ``request.session`` is a
    :class:`BaseSessionInterface` (upstream's method names)."""

    session_class = BaseSessionInterface


def is_upstream_session_class(candidate: Any) -> bool:
    """Whether ``candidate`` is an upstream-style custom session class (the ``manager``
    setting): a subclass of :class:`BaseSessionInterface` that implements ``load``."""
    return (isinstance(candidate, type) and issubclass(candidate, BaseSessionInterface)
            and candidate.load is not BaseSessionInterface.load)


__all__ = ["BaseSessionInterface", "SessionManagerBackend", "SessionMiddleware", "is_upstream_session_class"]
