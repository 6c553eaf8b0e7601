"""Pagination: page-number, limit-offset and cursor strategies over lists and async data sources.

``response.paginate(items)`` answers ``{"items": [...], "pagination": {...}}`` for the page the
query string asks for, with ``next``/``prev``/``first``/``last`` links in the body and in a
``Link`` header (RFC 8288). ``await response.apaginate(source)`` does the same with an async
data source (a database query). The strategy decides which query parameters are read:

=========================  ========================================  ============================
strategy                   query parameters (defaults)               metadata
=========================  ========================================  ============================
``PageNumberPagination``   ``page`` (1), ``page_size`` (20, max 100)  ``total_items``,
                                                                     ``total_pages``, ``page``,
                                                                     ``page_size``
``LimitOffsetPagination``  ``limit`` (20, max 100), ``offset`` (0)    ``total_items``, ``limit``,
                                                                     ``offset``,
                                                                     ``current_page``,
                                                                     ``total_pages``
``CursorPagination``       ``cursor``, ``page_size`` (20, max 100)    ``total_items``,
                                                                     ``page_size``, ``cursor``,
                                                                     ``next_cursor``
=========================  ========================================  ============================

What a client sends is never trusted: a page size above the maximum is reduced to it; a page or
size below 1, a number that is not a plain whole number (or has more than 18 digits), an offset
past the end, or a cursor that is not one this server made (not base64, not JSON, too long,
nested, of the wrong type) answers **400** with a message naming the parameter. Links are
relative (``/books?page=2``): they never repeat the ``Host`` header a client sent.

``Depend(strategy.params)`` reads the same parameters as typed query values, so that they are
validated by the route and described in the OpenAPI document; ``response.paginate(items,
strategy=page)`` then paginates with what it returned. Data sources and the paginators that
read them are in :mod:`nexios_core.paginators`.
"""

from __future__ import annotations

import abc
import base64
import binascii
import inspect
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from .exceptions import BadRequest, ImproperlyConfigured

MAX_CURSOR_LENGTH = 256
"""Longest accepted ``cursor`` value, in characters (the cursors this module makes are far shorter)."""
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
_BEFORE = "$before"  # marks a cursor that pages backwards (the "prev" link)


class PaginationError(BadRequest):
    """A pagination parameter the client sent is unusable: answers 400 with the reason."""

    def __init__(self, detail: str = "Invalid pagination parameters") -> None:
        super().__init__(detail=detail)


class InvalidPageError(PaginationError):
    """A page number (or offset) below the first page or past the last one."""


class InvalidPageSizeError(PaginationError):
    """A page size (or limit) below 1."""


class InvalidCursorError(PaginationError):
    """A cursor this server did not make."""


def whole_number(value: Any, name: str, error: type[PaginationError] = InvalidPageError) -> int:
    """``value`` (a query-string value, or an int) as an int; ``error`` (400) when it is not a
    plain whole number of at most 18 digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**18:
            raise error(f"{name} is too large")
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        return int(value)
    raise error(f"{name} must be a whole number")


# ---------------------------------------------------------------------------------------- links
class LinkBuilder:
    """Links to other pages: ``base_url`` (a path, no query), the request's other query parameters
    kept as they were, and the pagination ones replaced."""

    def __init__(self, base_url: str, request_params: Mapping[str, Any] | Sequence[tuple[str, str]],
                 pagination_params: Sequence[str]) -> None:
        self.base_url = base_url.split("?", 1)[0]  # a base that carries a query would double the "?"
        pairs = request_params.items() if isinstance(request_params, Mapping) else request_params
        self.kept = [(key, value) for key, value in pairs if key not in pagination_params]
        self.pagination_params = list(pagination_params)

    def build_link(self, new_params: Mapping[str, Any]) -> str:
        """The URL of the page described by ``new_params``."""
        query = urlencode([*self.kept, *new_params.items()], doseq=True)
        return f"{self.base_url}?{query}" if query else self.base_url


def link_header(links: Mapping[str, str]) -> str:
    """``Link: <url>; rel="next", ...`` for ``links``."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())


# ---------------------------------------------------------------------------------------- strategies
class BasePaginationStrategy(abc.ABC):
    """How a page is chosen from the query string. Subclasses name their query parameters in
    :meth:`query_parameters` and turn them into an offset and limit."""

    @abc.abstractmethod
    def parse_parameters(self, request_params: Mapping[str, Any]) -> Any:
        """Read (and check) this strategy's parameters from the query values."""

    @abc.abstractmethod
    def calculate_offset_limit(self, *params: Any) -> tuple[int, int]:
        """The offset of the page's first item and how many items the page holds."""

    @abc.abstractmethod
    def generate_metadata(self, total_items: int, items: list[Any], base_url: str,
                          request_params: Mapping[str, Any]) -> dict[str, Any]:
        """The ``pagination`` object of the answer, ``links`` included."""

    @abc.abstractmethod
    def query_parameters(self) -> dict[str, tuple[type, Any]]:
        """This strategy's query parameters: ``{name: (type, default)}``."""

    @property
    def params(self) -> Callable[..., PageRequest]:
        """A dependency reading this strategy's query parameters as typed values, for
        ``page = Depend(strategy.params)``: the route then validates them and the OpenAPI
        document lists them. Pass what it returns as ``response.paginate(items, strategy=page)``."""
        parameters = self.query_parameters()
        bad = [name for name in parameters if not name.isidentifier()]
        if bad:
            raise ImproperlyConfigured(f"Query parameters {bad} are not Python names: they cannot be typed parameters")
        strategy = self

        def read_pagination(request: Any, **values: Any) -> PageRequest:
            return PageRequest(strategy, {name: value for name, value in values.items() if value is not None})

        signature = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        signature += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
                      for name, (kind, default) in parameters.items()]
        read_pagination.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
        read_pagination.__annotations__ = {name: kind for name, (kind, _) in parameters.items()}
        read_pagination.__qualname__ = f"{type(self).__name__}.params"
        return read_pagination


class PageRequest:
    """A strategy with the query values a route already read and validated (what
    ``Depend(strategy.params)`` gives): ``response.paginate(items, strategy=page)`` uses them."""

    def __init__(self, strategy: BasePaginationStrategy, values: Mapping[str, Any]) -> None:
        self.strategy = strategy
        self.values = dict(values)

    def __repr__(self) -> str:
        return f"PageRequest({type(self.strategy).__name__}, {self.values!r})"


class PageNumberPagination(BasePaginationStrategy):
    """``?page=2&page_size=50``: pages numbered from 1."""

    def __init__(self, page_param: str = "page", page_size_param: str = "page_size", default_page: int = 1,
                 default_page_size: int | None = None, max_page_size: int = 100) -> None:
        default_page_size = _default_size(default_page_size, max_page_size)
        self.page_param = page_param
        self.page_size_param = page_size_param
        self.default_page = default_page
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size

    def query_parameters(self) -> dict[str, tuple[type, Any]]:
        return {self.page_param: (int, self.default_page), self.page_size_param: (int, self.default_page_size)}

    def parse_parameters(self, request_params: Mapping[str, Any]) -> tuple[int, int]:
        page = whole_number(request_params.get(self.page_param, self.default_page), self.page_param)
        size = whole_number(request_params.get(self.page_size_param, self.default_page_size),
                            self.page_size_param, InvalidPageSizeError)
        if page < 1:
            raise InvalidPageError(f"{self.page_param} must be at least 1")
        if size < 1:
            raise InvalidPageSizeError(f"{self.page_size_param} must be at least 1")
        return page, min(size, self.max_page_size)

    def calculate_offset_limit(self, *params: Any) -> tuple[int, int]:
        page, size = params
        return (page - 1) * size, size

    def generate_metadata(self, total_items: int, items: list[Any], base_url: str,
                          request_params: Mapping[str, Any]) -> dict[str, Any]:
        page, size = self.parse_parameters(request_params)
        total_pages = max(1, math.ceil(total_items / size))
        links = LinkBuilder(base_url, request_params, [self.page_param, self.page_size_param])

        def to(number: int) -> str:
            return links.build_link({self.page_param: number, self.page_size_param: size})

        found = {"first": to(1), "last": to(total_pages)}
        if page > 1:
            found["prev"] = to(min(page - 1, total_pages))
        if page < total_pages:
            found["next"] = to(page + 1)
        return {"total_items": total_items, "total_pages": total_pages, "page": page, "page_size": size,
                "links": found}


class LimitOffsetPagination(BasePaginationStrategy):
    """``?limit=50&offset=100``: any window of the list."""

    def __init__(self, limit_param: str = "limit", offset_param: str = "offset", default_limit: int | None = None,
                 max_limit: int = 100) -> None:
        default_limit = _default_size(default_limit, max_limit)
        self.limit_param = limit_param
        self.offset_param = offset_param
        self.default_limit = default_limit
        self.max_limit = max_limit

    def query_parameters(self) -> dict[str, tuple[type, Any]]:
        return {self.limit_param: (int, self.default_limit), self.offset_param: (int, 0)}

    def parse_parameters(self, request_params: Mapping[str, Any]) -> tuple[int, int]:
        limit = whole_number(request_params.get(self.limit_param, self.default_limit), self.limit_param,
                             InvalidPageSizeError)
        offset = whole_number(request_params.get(self.offset_param, 0), self.offset_param)
        if limit < 1:
            raise InvalidPageSizeError(f"{self.limit_param} must be at least 1")
        if offset < 0:
            raise InvalidPageError(f"{self.offset_param} cannot be negative")
        return min(limit, self.max_limit), offset

    def calculate_offset_limit(self, *params: Any) -> tuple[int, int]:
        limit, offset = params
        return offset, limit

    def generate_metadata(self, total_items: int, items: list[Any], base_url: str,
                          request_params: Mapping[str, Any]) -> dict[str, Any]:
        limit, offset = self.parse_parameters(request_params)
        links = LinkBuilder(base_url, request_params, [self.limit_param, self.offset_param])

        def to(start: int) -> str:
            return links.build_link({self.limit_param: limit, self.offset_param: start})

        found = {"first": to(0), "last": to(max(0, total_items - limit))}
        if offset > 0:
            found["prev"] = to(max(0, offset - limit))
        if offset + limit < total_items:
            found["next"] = to(offset + limit)
        return {"total_items": total_items, "limit": limit, "offset": offset, "current_page": offset // limit + 1,
                "total_pages": max(1, math.ceil(total_items / limit)), "links": found}


class CursorPagination(BasePaginationStrategy):
    """``?cursor=...``: the page after (or before) an item, by ``sort_field``, stable while items
    are added. The items must be in ascending ``sort_field`` order (a data source sorts them; a
    list is filtered as it is). The cursor is base64 of ``{sort_field: value}``.

    A client can send any cursor: ``value_type`` (``int``, ``str``...) refuses values of another
    type with a 400 before the data source sees them; without it, a source that cannot compare
    the value (``TypeError``) also answers 400."""

    def __init__(self, cursor_param: str = "cursor", page_size_param: str = "page_size",
                 default_page_size: int | None = None, max_page_size: int = 100, sort_field: str = "id",
                 value_type: type | tuple[type, ...] | None = None) -> None:
        default_page_size = _default_size(default_page_size, max_page_size)
        self.cursor_param = cursor_param
        self.page_size_param = page_size_param
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size
        self.sort_field = sort_field
        self.value_type = value_type

    def query_parameters(self) -> dict[str, tuple[type, Any]]:
        return {self.cursor_param: (str, None), self.page_size_param: (int, self.default_page_size)}

    def parse_parameters(self, request_params: Mapping[str, Any]) -> tuple[str | None, int]:
        cursor = request_params.get(self.cursor_param) or None
        size = whole_number(request_params.get(self.page_size_param, self.default_page_size),
                            self.page_size_param, InvalidPageSizeError)
        if size < 1:
            raise InvalidPageSizeError(f"{self.page_size_param} must be at least 1")
        if cursor is not None:
            self.decode_cursor(cursor)  # checked here, before any data is read
        return cursor, min(size, self.max_page_size)

    def calculate_offset_limit(self, *params: Any) -> tuple[int, int]:
        return 0, params[1]

    def encode_cursor(self, value: Any, *, before: bool = False) -> str:
        """The cursor of the page after the item whose ``sort_field`` is ``value`` (before it,
        with ``before=True``)."""
        data: dict[str, Any] = {self.sort_field: value}
        if before:
            data[_BEFORE] = True
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")

    def decode_cursor(self, cursor: str) -> dict[str, Any]:
        """``{sort_field: value}`` (and ``"$before": True`` for a backwards cursor); raises
        :class:`InvalidCursorError` (400) for anything this server did not make."""
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidCursorError(f"{self.cursor_param} is not a valid cursor (too long)")
        try:
            raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
            data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidCursorError(f"{self.cursor_param} is not a valid cursor") from None
        if not isinstance(data, dict) or set(data) - {self.sort_field, _BEFORE} or self.sort_field not in data:
            raise InvalidCursorError(f"{self.cursor_param} is not a valid cursor")
        value = data[self.sort_field]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or data.get(_BEFORE, True) is not True:
            raise InvalidCursorError(f"{self.cursor_param} is not a valid cursor")
        if (isinstance(value, float) and not math.isfinite(value)) or (
            self.value_type is not None and not isinstance(value, self.value_type)
        ):
            raise InvalidCursorError(f"{self.cursor_param} is not a valid cursor")
        return data

    def generate_metadata(self, total_items: int, items: list[Any], base_url: str,
                          request_params: Mapping[str, Any]) -> dict[str, Any]:
        cursor, _ = self.parse_parameters(request_params)
        return self.cursor_metadata(total_items, items, base_url, request_params,
                                    has_next=bool(items), has_prev=bool(items) and cursor is not None)

    def cursor_metadata(self, total_items: int, items: list[Any], base_url: str, request_params: Mapping[str, Any],
                        *, has_next: bool, has_prev: bool) -> dict[str, Any]:
        """The metadata, knowing whether items exist after and before this page (the
        paginators find out by reading one item more than the page holds)."""
        cursor, size = self.parse_parameters(request_params)
        links = LinkBuilder(base_url, request_params, [self.cursor_param, self.page_size_param])
        found = {"first": links.build_link({self.page_size_param: size})}
        next_cursor = None
        if items and has_next:
            next_cursor = self.encode_cursor(sort_value(items[-1], self.sort_field))
            found["next"] = links.build_link({self.cursor_param: next_cursor, self.page_size_param: size})
        if items and has_prev:
            previous = self.encode_cursor(sort_value(items[0], self.sort_field), before=True)
            found["prev"] = links.build_link({self.cursor_param: previous, self.page_size_param: size})
        return {"total_items": total_items, "page_size": size, "cursor": cursor, "next_cursor": next_cursor,
                "links": found}


def sort_value(item: Any, field: str) -> Any:
    """``item[field]`` for a mapping, else ``item.field``."""
    return item[field] if isinstance(item, Mapping) else getattr(item, field)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a cursor value")


DEFAULT_PAGE_SIZE = 20
"""The page size (or limit) a client that sends none gets, unless the maximum is smaller."""


def _default_size(default: int | None, maximum: int) -> int:
    # Only a maximum given (`max_page_size=10`): the default follows it down, as upstream Nexios'
    # clamping did, rather than failing at the first request. Both given and inconsistent: a
    # mistake, refused where the strategy is made.
    if default is None and isinstance(maximum, int) and not isinstance(maximum, bool):
        default = min(DEFAULT_PAGE_SIZE, maximum)
    if not (isinstance(default, int) and isinstance(maximum, int) and 1 <= default <= maximum):
        raise ImproperlyConfigured(f"Page sizes need 1 <= default ({default!r}) <= maximum ({maximum!r})")
    return default


__all__ = [
    "MAX_CURSOR_LENGTH",
    "BasePaginationStrategy",
    "CursorPagination",
    "InvalidCursorError",
    "InvalidPageError",
    "InvalidPageSizeError",
    "LimitOffsetPagination",
    "LinkBuilder",
    "PageNumberPagination",
    "PageRequest",
    "PaginationError",
    "link_header",
    "sort_value",
    "whole_number",
]
