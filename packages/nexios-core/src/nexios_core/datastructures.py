"""Containers for what a request carries: headers, query parameters, URLs, state, forms, files."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import IO, Any, NamedTuple, TypeVar, overload
from urllib.parse import parse_qsl, quote, urlencode

import anyio

from .exceptions import BadRequest

_T = TypeVar("_T")
RawHeaders = list[tuple[bytes, bytes]]


class Address(NamedTuple):
    """A network peer: ``host`` and ``port``."""

    host: str
    port: int


class MultiDict(Mapping[str, str]):
    """An immutable mapping where a key may repeat; ``[]``/``get`` give the last value."""

    __slots__ = ("_items", "_dict")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = list(items)
        self._dict: dict[str, str] = dict(self._items)

    def getlist(self, key: str) -> list[str]:
        """Every value of ``key``, in order."""
        return [v for k, v in self._items if k == key]

    def multi_items(self) -> list[tuple[str, str]]:
        """All ``(key, value)`` pairs, repeats included."""
        return list(self._items)

    def __getitem__(self, key: str) -> str:
        return self._dict[key]

    @overload
    def get(self, key: str, /) -> str | None: ...

    @overload
    def get(self, key: str, /, default: str | _T) -> str | _T: ...

    def get(self, key: str, /, default: Any = None) -> Any:
        """The last value of ``key``, or ``default``."""
        # Mapping.get goes through __getitem__ and a caught KeyError: slow for absent keys.
        return self._dict.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiDict):
            return sorted(self._items) == sorted(other._items)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


def parse_query_string(query: str) -> list[tuple[str, str]]:
    """``(key, value)`` pairs of a query string, blank values kept, as ``urllib.parse.parse_qsl``
    gives them. Most query strings hold nothing to decode (no ``%`` and no ``+``): those are
    split directly, several times faster than ``parse_qsl``, which handles the others."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    items: list[tuple[str, str]] = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            items.append((key, value))
    return items


class QueryParams(MultiDict):
    """Parsed query string. ``max_fields`` bounds how many pairs are accepted (400 beyond)."""

    __slots__ = ()

    def __init__(
        self,
        query: str | bytes | Iterable[tuple[str, str]] | Mapping[str, str] = "",
        *,
        max_fields: int | None = None,
    ) -> None:
        if isinstance(query, bytes):
            query = query.decode("latin-1")
        if isinstance(query, str):
            # Counting "&" is one C pass; only a query that could be over the limit pays for
            # counting real (non-empty) fields, so "a=1&" at exactly the limit still passes.
            if max_fields is not None and query.count("&") >= max_fields and sum(
                1 for part in query.split("&") if part
            ) > max_fields:
                raise BadRequest(detail=f"Too many query parameters (limit {max_fields})")
            items: Iterable[tuple[str, str]] = parse_query_string(query)
        elif isinstance(query, Mapping):
            items = query.items()
        else:
            items = query
        super().__init__(items)

    def __str__(self) -> str:
        return urlencode(self._items)


class Headers(Mapping[str, str]):
    """Case-insensitive, multi-valued, read-only view of ASGI headers.

    ``headers["accept"]`` gives the first value (use :meth:`getlist` for all); names are matched
    without regard to case. Decoding is latin-1, as HTTP/1.1 specifies for field values.
    """

    __slots__ = ("_raw", "_index")

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        *,
        raw: Sequence[tuple[bytes, bytes]] | None = None,
    ) -> None:
        if raw is not None:
            self._raw: list[tuple[bytes, bytes]] = list(raw)
        elif headers is not None:
            self._raw = [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
            ]
        else:
            self._raw = []
        self._index: dict[str, str] | None = None

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        """The underlying ``(name, value)`` byte pairs, names lower-cased."""
        return self._raw

    def _lookup(self) -> dict[str, str]:
        index = self._index
        if index is None:
            index = {}
            # Iterate backwards so the first occurrence of a repeated header wins.
            for name, value in reversed(self._raw):
                index[name.decode("latin-1").lower()] = value.decode("latin-1")
            self._index = index
        return index

    def getlist(self, key: str) -> list[str]:
        """Every value of header ``key``, in order."""
        name = key.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self._raw if k.lower() == name]

    def __getitem__(self, key: str) -> str:
        return self._lookup()[key.lower()]

    def get(self, key: str, default: Any = None) -> Any:
        return self._lookup().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lookup()

    def __iter__(self) -> Iterator[str]:
        return iter(self._lookup())

    def __len__(self) -> int:
        return len(self._lookup())

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """Every ``(name, value)`` pair, repeats included, names lower-cased."""
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._raw]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted(self._raw) == sorted(other._raw)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._raw)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items()!r})"


class MutableHeaders(Headers):
    """Headers that can be changed; writes go straight to the raw list a response sends."""

    __slots__ = ()

    @classmethod
    def writing_to(cls, raw: list[tuple[bytes, bytes]]) -> MutableHeaders:
        """A view whose changes go straight into ``raw`` (shared, not copied): how a response's
        ``headers`` edit the list it sends."""
        view = cls()
        view._raw = raw
        return view
    def __setitem__(self, key: str, value: str) -> None:
        """Replace every value of ``key`` with ``value``."""
        name = _encode_header_name(key)
        encoded = _encode_header_value(value)
        raw = self._raw
        found = False
        i = 0
        while i < len(raw):
            if raw[i][0] == name:
                if found:
                    del raw[i]
                    continue
                raw[i] = (name, encoded)
                found = True
            i += 1
        if not found:
            raw.append((name, encoded))
        self._index = None

    def __delitem__(self, key: str) -> None:
        name = key.lower().encode("latin-1")
        self._raw[:] = [item for item in self._raw if item[0] != name]
        self._index = None

    def append(self, key: str, value: str) -> None:
        """Add a value for ``key`` without removing existing ones (``Set-Cookie``, ``Vary``)."""
        self._raw.append((_encode_header_name(key), _encode_header_value(value)))
        self._index = None

    def setdefault(self, key: str, value: str) -> str:
        """Set ``key`` only if it is absent; return the value in force."""
        current = self.get(key)
        if current is None:
            self.append(key, value)
            return value
        return str(current)

    def update(self, other: Mapping[str, str]) -> None:
        """Set every header in ``other``."""
        for key, value in other.items():
            self[key] = value

    def add_vary_header(self, field: str) -> None:
        """Add ``field`` to ``Vary`` unless it is already listed."""
        current = self.get("vary")
        if current is None:
            self["vary"] = field
        elif field.lower() not in [part.strip().lower() for part in current.split(",")]:
            self["vary"] = f"{current}, {field}"


def _encode_header_name(key: str) -> bytes:
    if "\r" in key or "\n" in key or ":" in key or "\x00" in key:
        # As for values: a name carrying a line break or a colon would inject headers.
        raise ValueError("Header names must not contain CR, LF, NUL or ':'")
    return key.lower().encode("latin-1")


def _encode_header_value(value: str) -> bytes:
    if "\r" in value or "\n" in value or "\x00" in value:
        # A newline in a value would let a caller inject headers or split the response; HTTP
        # forbids NUL (RFC 9110), and a server that sends it as given confuses what parses it.
        raise ValueError("Header values must not contain CR, LF or NUL")
    return value.encode("latin-1")


# Characters a query string may carry as they are (RFC 3986 query: pchar / "/" / "?", with "%"
# kept so that existing escapes survive).
_QUERY_SAFE = "/?:@!$&'()*+,;=-._~%"


def query_for_location(raw_query: bytes) -> str:
    """A request's raw query string made safe to repeat in a ``Location`` header: anything outside
    the query characters (CR, LF, spaces, non-ASCII bytes) is percent-encoded."""
    return quote(raw_query, safe=_QUERY_SAFE)


class URL:
    """A parsed URL built from an ASGI scope (or a string). Immutable; ``replace`` copies."""

    __slots__ = ("scheme", "netloc", "path", "query", "fragment")

    def __init__(
        self, url: str = "", *, scheme: str = "", netloc: str = "", path: str = "",
        query: str = "", fragment: str = "",
    ) -> None:
        if url:
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            scheme, netloc, path, query, fragment = (
                parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment,
            )
        self.scheme = scheme
        self.netloc = netloc
        self.path = path
        self.query = query
        self.fragment = fragment

    @classmethod
    def from_scope(cls, scope: Mapping[str, Any]) -> URL:
        """Rebuild the request URL from ``scope``; the host comes from ``Host`` or the server."""
        scheme = scope.get("scheme", "http")
        # ASGI servers (uvicorn >= 0.26) put the full path, root_path included, in "path";
        # older ones and some mounts give it relative to root_path. Accept both.
        root_path = scope.get("root_path", "")
        path = scope.get("path", "/")
        if root_path and not path.startswith(root_path):
            path = root_path + path
        query = scope.get("query_string", b"").decode("latin-1")
        host = None
        for name, value in scope.get("headers", ()):
            if name == b"host":
                host = value.decode("latin-1")
                break
        if host is None:
            server = scope.get("server")
            if server:
                default_port = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
                host = server[0] if server[1] == default_port else f"{server[0]}:{server[1]}"
            else:
                host = ""
        return cls(scheme=scheme, netloc=host, path=path, query=query)

    @property
    def hostname(self) -> str | None:
        """The host part of ``netloc``, without port or credentials."""
        host = self.netloc.rpartition("@")[2]
        if host.startswith("["):
            return host[1 : host.find("]")]
        return host.partition(":")[0] or None

    @property
    def port(self) -> int | None:
        """The explicit port in ``netloc``, if any."""
        host = self.netloc.rpartition("@")[2]
        _, _, port = host.rpartition("]")[2].partition(":")
        # isdigit() alone accepts "²" and other non-ASCII digits that int() refuses.
        return int(port) if port.isascii() and port.isdigit() and len(port) <= 5 else None

    @property
    def is_secure(self) -> bool:
        """True for ``https`` and ``wss``."""
        return self.scheme in ("https", "wss")

    def replace(self, **changes: str) -> URL:
        """A copy with some components changed."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return URL(**values)

    def include_query_params(self, **params: Any) -> URL:
        """A copy whose query string has ``params`` set."""
        items = dict(parse_qsl(self.query, keep_blank_values=True))
        items.update({k: str(v) for k, v in params.items()})
        return self.replace(query=urlencode(items))

    def __str__(self) -> str:
        url = f"{self.scheme}://{self.netloc}{self.path}" if self.scheme else self.path
        if self.query:
            url += "?" + self.query
        if self.fragment:
            url += "#" + self.fragment
        return url

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (URL, str)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"URL({str(self)!r})"


class PathParams(dict[str, Any]):
    """The path values of a request: a dict whose keys also read as attributes
    (``request.path_params.user_id``, as upstream Nexios's guides write it)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"No path parameter {name!r}") from None


class State(MutableMapping[str, Any]):
    """Free-form storage read as attributes or items: ``request.state.user = ...``,
    ``app.state["db"]``. It is a mutable mapping (``keys``, ``items``, ``update``, ``in``...).

    A name that was never set reads as ``None`` (``state.missing is None``), so optional values
    need no ``getattr`` default; ``state["missing"]`` raises ``KeyError`` as a mapping does.
    Middleware can offer a value that costs something to make with :meth:`set_lazy`: it is made
    the first time it is read as an attribute.
    """

    __slots__ = ("__dict__", "_lazy")
    _lazy: dict[str, Callable[[], Any]]

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        if values:
            self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy, pickle and friends probe for these: never invent them
            raise AttributeError(name)
        try:
            lazy = self._lazy
        except AttributeError:
            return None
        factory = lazy.pop(name, None)
        if factory is None:
            return None
        value = self.__dict__[name] = factory()
        return value

    def set_lazy(self, name: str, factory: Callable[[], Any]) -> None:
        """Make ``state.<name>`` read as ``factory()``, called on the first read (if any) and
        kept. A value set for ``name`` meanwhile wins."""
        try:
            self._lazy[name] = factory
        except AttributeError:
            self._lazy = {name: factory}

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__[key] = value

    def __delitem__(self, key: str) -> None:
        del self.__dict__[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __len__(self) -> int:
        return len(self.__dict__)

    def __contains__(self, name: object) -> bool:
        return name in self.__dict__

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name``, or ``default``."""
        return self.__dict__.get(name, default)

    def __repr__(self) -> str:
        return f"State({self.__dict__!r})"


class UploadFile:
    """An uploaded file. Small files stay in memory; larger ones spool to a temporary file.

    The async methods run blocking file I/O in a worker thread once the data is on disk, so a large
    upload never stalls the event loop.
    """

    def __init__(
        self,
        filename: str | None,
        *,
        content_type: str = "application/octet-stream",
        headers: Headers | None = None,
        spool_threshold: int = 1024 * 1024,
        file: IO[bytes] | None = None,
    ) -> None:
        self.filename = filename
        self.content_type = content_type
        self.headers = headers if headers is not None else Headers()
        self.file: IO[bytes] = file or tempfile.SpooledTemporaryFile(max_size=spool_threshold)
        self.size = 0

    @property
    def _in_memory(self) -> bool:
        rolled = getattr(self.file, "_rolled", True)
        return not rolled

    async def write(self, data: bytes) -> None:
        """Append ``data`` (off the event loop once the file is on disk)."""
        self.size += len(data)
        if self._in_memory:
            self.file.write(data)
        else:
            await anyio.to_thread.run_sync(self.file.write, data)

    async def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all by default)."""
        if self._in_memory:
            return self.file.read(size)
        return await anyio.to_thread.run_sync(self.file.read, size)

    async def seek(self, offset: int) -> None:
        """Move the read position."""
        if self._in_memory:
            self.file.seek(offset)
        else:
            await anyio.to_thread.run_sync(self.file.seek, offset)

    async def close(self) -> None:
        """Close and discard the underlying file."""
        if self._in_memory:
            self.file.close()
        else:
            await anyio.to_thread.run_sync(self.file.close)

    def __repr__(self) -> str:
        return f"UploadFile(filename={self.filename!r}, size={self.size}, content_type={self.content_type!r})"


class FormData(Mapping[str, "str | UploadFile"]):
    """Parsed form fields and files; a key may repeat (``getlist``)."""

    def __init__(self, items: Iterable[tuple[str, str | UploadFile]] = ()) -> None:
        self._items: list[tuple[str, str | UploadFile]] = list(items)
        self._dict: dict[str, str | UploadFile] = dict(self._items)

    @overload
    def getlist(self, key: str) -> list[str | UploadFile]: ...
    @overload
    def getlist(self, key: str, default: _T) -> list[str | UploadFile] | _T: ...
    def getlist(self, key: str, default: Any = None) -> Any:
        """Every value of ``key``."""
        values = [v for k, v in self._items if k == key]
        return values if values or default is None else default

    def multi_items(self) -> list[tuple[str, str | UploadFile]]:
        """All pairs, repeats included."""
        return list(self._items)

    @property
    def files(self) -> dict[str, UploadFile]:
        """The uploaded files by field name (the last one where a name repeats)."""
        return {k: v for k, v in self._items if isinstance(v, UploadFile)}

    def __getitem__(self, key: str) -> str | UploadFile:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    async def close(self) -> None:
        """Close every uploaded file."""
        for _, value in self._items:
            if isinstance(value, UploadFile):
                await value.close()

    def __repr__(self) -> str:
        return f"FormData({self._items!r})"


__all__ = [
    "PathParams",
    "query_for_location",
    "parse_query_string",
    "Address",
    "FormData",
    "Headers",
    "MultiDict",
    "MutableHeaders",
    "QueryParams",
    "RawHeaders",
    "State",
    "URL",
    "UploadFile",
]
