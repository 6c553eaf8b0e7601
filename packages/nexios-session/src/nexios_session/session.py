"""The session object handlers see as ``request.session``.

It behaves like a dict and records what happens to it: ``accessed`` once anything reads or
writes it (the response then varies by ``Cookie``), ``modified`` once anything changes it (only
then is a ``Set-Cookie`` sent). Data carried by the cookie is decoded on first use, so requests
that never touch the session never pay for verifying it.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, MutableMapping, ValuesView
from datetime import datetime, timedelta, timezone
from typing import Any

from .interface import DEFAULT_MAX_AGE, new_session_id

SessionLoader = Callable[[], "tuple[str, dict[str, Any]] | None"]
"""Called once, on first use: the ``(session_id, data)`` the request brought, or ``None``."""


class Session(MutableMapping[str, Any]):
    """A dict-like session.

    Changes are tracked through the mapping methods: ``session["cart"] = cart`` marks the session
    modified, ``session["cart"].append(item)`` does not (reassign the value, or set
    ``session.modified = True``). Values must be JSON types.

    Security-relevant operations:

    * :meth:`regenerate` gives the session a new id and drops the old server-side record. Call it
      when the user logs in (or changes privilege) so an id planted before login is worthless.
    * :meth:`clear` empties the session and forgets its id (log out); the cookie is deleted.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        session_id: str | None = None,
        max_age: int = DEFAULT_MAX_AGE,
        loader: SessionLoader | None = None,
    ) -> None:
        self._data: dict[str, Any] = dict(data) if data else {}
        self._session_id = session_id
        self._loader = loader
        # Ids whose server-side records must be deleted when the response is sent.
        self._stale_ids: list[str] = []
        self._max_age = max_age
        self.modified = False
        """Whether the data (or the id) changed during this request."""
        self.accessed = False
        """Whether anything read or wrote the session during this request."""

    # ---------------------------------------------------------------- loading
    def _load(self) -> dict[str, Any]:
        loader = self._loader
        if loader is not None:
            self._loader = None
            loaded = loader()
            if loaded is not None:
                self._session_id, self._data = loaded[0], dict(loaded[1])
        self.accessed = True
        return self._data

    def pending_write(self) -> tuple[list[str], dict[str, Any], str | None]:
        """What the middleware persists when the response goes out, without loading anything:
        the ids whose server-side records must be deleted, the data as it stands (unloaded:
        what the session was created with), and the id the client holds, if any."""
        return self._stale_ids, self._data, self._session_id

    @property
    def loaded(self) -> bool:
        """Whether the incoming session has been read (it is, on first use)."""
        return self._loader is None

    # ---------------------------------------------------------------- mapping protocol
    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._load()[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self._load()[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, key: object) -> bool:
        return key in self._load()

    def keys(self) -> KeysView[str]:
        """The session's keys."""
        return self._load().keys()

    def values(self) -> ValuesView[Any]:
        """The session's values."""
        return self._load().values()

    def items(self) -> ItemsView[str, Any]:
        """The session's ``(key, value)`` pairs."""
        return self._load().items()

    def get(self, key: str, default: Any = None) -> Any:
        """The value for ``key``, or ``default``."""
        return self._load().get(key, default)

    def clear(self) -> None:
        """Empty the session and forget its id (log out). The server-side record is deleted and
        the client told to drop the cookie; anything stored afterwards gets a brand-new id."""
        self._load()
        self._data = {}
        self._retire_id()
        self.modified = True

    def to_dict(self) -> dict[str, Any]:
        """A shallow copy of the data."""
        return dict(self._load())

    # ---------------------------------------------------------------- identity
    @property
    def session_id(self) -> str:
        """The session's id (a new session gets one here, kept if the session is saved)."""
        self._load()
        if self._session_id is None:
            self._session_id = new_session_id()
        return self._session_id

    @property
    def is_new(self) -> bool:
        """Whether the request brought no valid session (or it was cleared or regenerated)."""
        self._load()
        return self._session_id is None or bool(self._stale_ids)

    def regenerate(self) -> str:
        """Move the data to a new session id and drop the old one; returns the new id.

        Call this at login: an attacker who planted a session id in the victim's browser before
        login then holds an id that no longer exists. The response carries the new cookie.
        """
        self._load()
        self._retire_id()
        self._session_id = new_session_id()
        self.modified = True
        return self._session_id

    def _retire_id(self) -> None:
        if self._session_id is not None:
            self._stale_ids.append(self._session_id)
            self._session_id = None

    # ---------------------------------------------------------------- expiry and cookie
    @property
    def max_age(self) -> int:
        """Seconds the session lives after it is saved (the configured ``max_age``)."""
        return self._max_age

    def get_expiry(self) -> datetime:
        """When the session expires if it is saved by this request (UTC)."""
        return datetime.now(timezone.utc) + timedelta(seconds=self._max_age)

    @property
    def should_set_cookie(self) -> bool:
        """Whether the response must carry a ``Set-Cookie`` for this session."""
        return self.modified

    def __repr__(self) -> str:
        if not self.loaded:
            return f"<{type(self).__name__} (not loaded)>"
        # Keys only: values may be secrets, and reprs end up in logs.
        return f"<{type(self).__name__} keys={sorted(self._data)!r}>"


__all__ = ["Session", "SessionLoader"]
