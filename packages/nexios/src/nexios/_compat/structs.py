"""Upstream Nexios's data structures that Nexios itself does not use: ``URLPath`` (a path that
knows whether it is HTTP or WebSocket), ``Secret`` (a string kept out of reprs and logs) and a
mutable ``MultiDict``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from nexios_core import URL


class URLPath(str):
    """A URL path, with the protocol (``"http"``, ``"websocket"`` or ``""``) and host it is for."""

    protocol: str
    host: str

    def __new__(cls, path: str, protocol: str = "", host: str = "") -> URLPath:
        if protocol not in ("http", "websocket", ""):
            raise ValueError(f"URLPath protocol must be 'http', 'websocket' or '', not {protocol!r}")
        made = str.__new__(cls, path)
        made.protocol = protocol
        made.host = host
        return made

    def make_absolute_url(self, base_url: str | URL) -> URL:
        """This path on ``base_url``'s host (``https``/``wss`` when the base is secure)."""
        base = base_url if isinstance(base_url, URL) else URL(str(base_url))
        secure = base.scheme in ("https", "wss")
        if self.protocol == "http":
            scheme = "https" if secure else "http"
        elif self.protocol == "websocket":
            scheme = "wss" if secure else "ws"
        else:
            scheme = base.scheme
        netloc = self.host or base.netloc
        return URL(f"{scheme}://{netloc}{base.path.rstrip('/')}{self}")


class Secret:
    """A string that does not show in ``repr()`` (tracebacks, logs, debug pages): convert it
    with ``str(secret)`` where the value is needed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __str__(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}('**********')"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))


class MultiDict(MutableMapping[Any, Any]):
    """A mapping that keeps every value given for a key, in order. Item access gives the last
    value; :meth:`getlist` all of them."""

    def __init__(self, *args: Mapping[Any, Any] | Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        if len(args) > 1:
            raise TypeError(f"MultiDict expected at most 1 argument, got {len(args)}")
        self._items: list[tuple[Any, Any]] = []
        self.update(*args, **kwargs)

    @staticmethod
    def _pairs(source: Any) -> list[tuple[Any, Any]]:
        if isinstance(source, MultiDict):
            return source.multi_items()
        if isinstance(source, Mapping):
            return list(source.items())
        return [(key, value) for key, value in source]

    def __getitem__(self, key: Any) -> Any:
        for name, value in reversed(self._items):
            if name == key:
                return value
        raise KeyError(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.setlist(key, [value])

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        self._items = [(name, value) for name, value in self._items if name != key]

    def __iter__(self) -> Iterator[Any]:
        return iter(dict.fromkeys(name for name, _ in self._items))

    def __len__(self) -> int:
        return len({name for name, _ in self._items})

    def __contains__(self, key: object) -> bool:
        return any(name == key for name, _ in self._items)

    def getlist(self, key: Any) -> list[Any]:
        """Every value given for ``key``, in order."""
        return [value for name, value in self._items if name == key]

    def setlist(self, key: Any, values: Iterable[Any]) -> None:
        """Replace the values of ``key`` (none: remove it)."""
        kept = [(name, value) for name, value in self._items if name != key]
        self._items = kept + [(key, value) for value in values]

    def append(self, key: Any, value: Any) -> None:
        """Add another value for ``key``."""
        self._items.append((key, value))

    def poplist(self, key: Any) -> list[Any]:
        """Remove ``key`` and return all its values."""
        values = self.getlist(key)
        self._items = [(name, value) for name, value in self._items if name != key]
        return values

    def multi_items(self) -> list[tuple[Any, Any]]:
        """Every ``(key, value)`` pair, repeated keys included."""
        return list(self._items)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Replace the values of the keys given (each keeps every value given for it)."""
        pairs = [*(self._pairs(args[0]) if args else []), *kwargs.items()]
        given = {name for name, _ in pairs}
        self._items = [(name, value) for name, value in self._items if name not in given] + pairs

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiDict):
            return NotImplemented
        return sorted(map(repr, self._items)) == sorted(map(repr, other._items))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


__all__ = ["MultiDict", "Secret", "URLPath"]
