"""Data sources for pagination, and the paginators that read one page of them.

A data source answers "how many items" and "these items": :class:`SyncListDataHandler` and
:class:`AsyncListDataHandler` wrap a list; implement :class:`AsyncDataHandler` (or
:class:`SyncDataHandler`) over a database query to fetch one page, not the whole table. Cursor
pagination also needs ``get_items_after``/``get_items_before`` (``WHERE id > :value ORDER BY id
LIMIT :n``). The strategies are in :mod:`nexios_core.pagination`; ``response.paginate`` and
``response.apaginate`` call :func:`paginate_request` and :func:`apaginate_request`.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .pagination import (
    BasePaginationStrategy,
    CursorPagination,
    InvalidCursorError,
    InvalidPageError,
    LimitOffsetPagination,
    PageNumberPagination,
    PageRequest,
    sort_value,
)

STRATEGIES: dict[str, type[BasePaginationStrategy]] = {
    "page_number": PageNumberPagination,
    "limit_offset": LimitOffsetPagination,
    "cursor": CursorPagination,
}
"""The strategies ``response.paginate(strategy="...")`` knows by name."""


# ---------------------------------------------------------------------------------------- data sources
class SyncDataHandler(abc.ABC):
    """Where a paginator reads items from, synchronously."""

    @abc.abstractmethod
    def get_total_items(self) -> int:
        """How many items there are."""

    @abc.abstractmethod
    def get_items(self, offset: int, limit: int) -> list[Any]:
        """At most ``limit`` items from ``offset``."""

    def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        """At most ``limit`` items whose ``field`` is greater than ``value``, ascending (cursors)."""
        raise NotImplementedError(f"{type(self).__name__} cannot serve cursor pagination: implement get_items_after")

    def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        """The ``limit`` items just before ``value`` by ``field``, ascending (cursors)."""
        raise NotImplementedError(f"{type(self).__name__} cannot serve cursor pagination: implement get_items_before")


class SyncListDataHandler(SyncDataHandler):
    """A list (or any sequence). For cursors it must be in ascending ``sort_field`` order."""

    def __init__(self, data: Sequence[Any]) -> None:
        self.data = data

    def get_total_items(self) -> int:
        return len(self.data)

    def get_items(self, offset: int, limit: int) -> list[Any]:
        return list(self.data[offset:offset + limit])

    def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        return _around(self.data, field, value, limit, after=True)

    def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        return _around(self.data, field, value, limit, after=False)


class AsyncDataHandler(abc.ABC):
    """Where a paginator reads items from, asynchronously (a database)."""

    @abc.abstractmethod
    async def get_total_items(self) -> int:
        """How many items there are."""

    @abc.abstractmethod
    async def get_items(self, offset: int, limit: int) -> list[Any]:
        """At most ``limit`` items from ``offset``."""

    async def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        """At most ``limit`` items whose ``field`` is greater than ``value``, ascending (cursors)."""
        raise NotImplementedError(f"{type(self).__name__} cannot serve cursor pagination: implement get_items_after")

    async def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        """The ``limit`` items just before ``value`` by ``field``, ascending (cursors)."""
        raise NotImplementedError(f"{type(self).__name__} cannot serve cursor pagination: implement get_items_before")


class AsyncListDataHandler(AsyncDataHandler):
    """A list served through the async interface."""

    def __init__(self, data: Sequence[Any]) -> None:
        self.data = data

    async def get_total_items(self) -> int:
        return len(self.data)

    async def get_items(self, offset: int, limit: int) -> list[Any]:
        return list(self.data[offset:offset + limit])

    async def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        return _around(self.data, field, value, limit, after=True)

    async def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        return _around(self.data, field, value, limit, after=False)


def _around(data: Sequence[Any], field: str, value: Any, limit: int, *, after: bool) -> list[Any]:
    # A cursor value of another type than the items' (a str against ints) raises TypeError here;
    # the paginators answer it with a 400.
    if after:
        found: list[Any] = []
        for item in data:
            if sort_value(item, field) > value:
                found.append(item)
                if len(found) == limit:
                    break
        return found
    return [item for item in data if sort_value(item, field) < value][-limit:]


# ---------------------------------------------------------------------------------------- paginators
class _Page:
    """What both paginators work out before and after reading the source."""

    def __init__(self, strategy: BasePaginationStrategy, base_url: str, request_params: Mapping[str, Any],
                 validate_total_items: bool) -> None:
        self.strategy = strategy
        self.base_url = base_url
        self.request_params = request_params
        self.validate_total_items = validate_total_items
        params = strategy.parse_parameters(request_params)
        self.offset, self.limit = strategy.calculate_offset_limit(*params)
        self.cursor: dict[str, Any] | None = None
        if isinstance(strategy, CursorPagination) and params[0] is not None:
            self.cursor = strategy.decode_cursor(params[0])

    def check_offset(self, total_items: int) -> None:
        if self.validate_total_items and self.offset >= total_items > 0:
            raise InvalidPageError(f"This page starts past the last item ({total_items} items)")

    def result(self, total_items: int, items: list[Any], extra: bool) -> dict[str, Any]:
        strategy = self.strategy
        if isinstance(strategy, CursorPagination):
            backwards = self.cursor is not None and self.cursor.get("$before") is True
            if backwards:  # read one more item *before*: it is the first one when there is one
                has_prev, items = extra, items[-self.limit:]
                has_next = True
            else:
                has_next, items = extra, items[:self.limit]
                has_prev = self.cursor is not None
            metadata = strategy.cursor_metadata(total_items, items, self.base_url, self.request_params,
                                                has_next=has_next, has_prev=has_prev)
        else:
            metadata = strategy.generate_metadata(total_items, items, self.base_url, self.request_params)
        return {"items": items, "pagination": metadata}


class SyncPaginator:
    """One page of a :class:`SyncDataHandler`: ``paginate()`` returns ``{"items", "pagination"}``."""

    def __init__(self, data_handler: SyncDataHandler, pagination_strategy: BasePaginationStrategy, base_url: str,
                 request_params: Mapping[str, Any], validate_total_items: bool = True) -> None:
        self.data_handler = data_handler
        self.page = _Page(pagination_strategy, base_url, request_params, validate_total_items)

    def paginate(self) -> dict[str, Any]:
        """Read the page and describe it."""
        page, source = self.page, self.data_handler
        total = source.get_total_items()
        if page.cursor is None:
            if isinstance(page.strategy, CursorPagination):
                items = source.get_items(0, page.limit + 1)
                return page.result(total, items, len(items) > page.limit)
            page.check_offset(total)
            return page.result(total, source.get_items(page.offset, page.limit), False)
        field = page.strategy.sort_field  # type: ignore[attr-defined]
        value = page.cursor[field]
        read = source.get_items_before if page.cursor.get("$before") else source.get_items_after
        try:
            items = read(field, value, page.limit + 1)
        except TypeError:  # the client's cursor value cannot be compared with the items'
            raise InvalidCursorError("The cursor does not fit these items") from None
        return page.result(total, items, len(items) > page.limit)


class AsyncPaginator:
    """One page of an :class:`AsyncDataHandler`: ``await paginate()``."""

    def __init__(self, data_handler: AsyncDataHandler, pagination_strategy: BasePaginationStrategy, base_url: str,
                 request_params: Mapping[str, Any], validate_total_items: bool = True) -> None:
        self.data_handler = data_handler
        self.page = _Page(pagination_strategy, base_url, request_params, validate_total_items)

    async def paginate(self) -> dict[str, Any]:
        """Read the page and describe it."""
        page, source = self.page, self.data_handler
        total = await source.get_total_items()
        if page.cursor is None:
            if isinstance(page.strategy, CursorPagination):
                items = await source.get_items(0, page.limit + 1)
                return page.result(total, items, len(items) > page.limit)
            page.check_offset(total)
            return page.result(total, await source.get_items(page.offset, page.limit), False)
        field = page.strategy.sort_field  # type: ignore[attr-defined]
        value = page.cursor[field]
        read = source.get_items_before if page.cursor.get("$before") else source.get_items_after
        try:
            items = await read(field, value, page.limit + 1)
        except TypeError:  # the client's cursor value cannot be compared with the items'
            raise InvalidCursorError("The cursor does not fit these items") from None
        return page.result(total, items, len(items) > page.limit)


# ---------------------------------------------------------------------------------------- for Response
def resolve_strategy(strategy: Any, options: Mapping[str, Any]) -> tuple[BasePaginationStrategy, Mapping[str, Any]]:
    """The strategy object for ``strategy`` (a name, a strategy, or a ``PageRequest``), and the
    values a route already read for it (``{}`` unless a ``PageRequest``)."""
    if isinstance(strategy, PageRequest):
        return strategy.strategy, strategy.values
    if isinstance(strategy, str):
        kind = STRATEGIES.get(strategy)
        if kind is None:
            raise ValueError(f"Unknown pagination strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
        return kind(**options), {}
    if isinstance(strategy, BasePaginationStrategy):
        if options:
            raise TypeError(f"Options {sorted(options)} apply to a strategy given by name, not to {strategy!r}")
        return strategy, {}
    raise TypeError(f"strategy must be a name, a pagination strategy or what Depend(strategy.params) gave, "
                    f"not {strategy!r}")


def page_context(request: Any, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The relative base URL of the page's links, and the query parameters (several values of
    one name as a list), with what the route already read (``values``) in place."""
    path = "/" + quote(request.scope.get("path", "/"), safe="/:@!$&'()*+,;=-._~").lstrip("/")
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            existing = params[key]
            params[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            params[key] = value
    params.update(values)
    return path, params


def _sync_source(items: Any, data_handler: Any) -> SyncDataHandler:
    if isinstance(items, SyncDataHandler):
        return items
    handler_class: type[SyncDataHandler] = data_handler or SyncListDataHandler
    return handler_class(items)  # type: ignore[call-arg]  # list handlers take the items


def _async_source(items: Any, data_handler: Any) -> AsyncDataHandler:
    if isinstance(items, AsyncDataHandler):
        return items
    if isinstance(items, SyncDataHandler):
        raise TypeError("apaginate reads an AsyncDataHandler (or a list); use paginate for a SyncDataHandler")
    handler_class: type[AsyncDataHandler] = data_handler or AsyncListDataHandler
    return handler_class(items)  # type: ignore[call-arg]  # list handlers take the items


def paginate_request(request: Any, items: Any, strategy: Any, data_handler: Any,
                     options: Mapping[str, Any], total_items: int | None = None) -> dict[str, Any]:
    """The ``{"items", "pagination"}`` answer for ``request`` (what ``response.paginate`` sends)."""
    chosen, values = resolve_strategy(strategy, options)
    base_url, params = page_context(request, values)
    source = _sync_source(items, data_handler)
    if total_items is not None:
        source = _CountedSync(source, total_items)
    return SyncPaginator(source, chosen, base_url, params).paginate()


async def apaginate_request(request: Any, items: Any, strategy: Any, data_handler: Any,
                            options: Mapping[str, Any], total_items: int | None = None) -> dict[str, Any]:
    """:func:`paginate_request` over an async data source (or a list)."""
    chosen, values = resolve_strategy(strategy, options)
    base_url, params = page_context(request, values)
    source = _async_source(items, data_handler)
    if total_items is not None:
        source = _CountedAsync(source, total_items)
    return await AsyncPaginator(source, chosen, base_url, params).paginate()


def paginate(request: Any, items: Any, strategy: Any = "page_number", *, data_handler: Any = None,
             total_items: int | None = None, **options: Any) -> dict[str, Any]:
    """The ``{"items", "pagination"}`` page of ``items`` that ``request`` asks for, without
    sending it: for a page rendered with a template (``response.paginate`` sends it as JSON)."""
    return paginate_request(request, items, strategy, data_handler, options, total_items)


async def apaginate(request: Any, items: Any, strategy: Any = "page_number", *, data_handler: Any = None,
                    total_items: int | None = None, **options: Any) -> dict[str, Any]:
    """:func:`paginate` over an async data source (or a list)."""
    return await apaginate_request(request, items, strategy, data_handler, options, total_items)


class _CountedSync(SyncDataHandler):
    """A source whose total was given by the caller (``paginate(items, total_items=...)``)."""

    def __init__(self, source: SyncDataHandler, total: int) -> None:
        self.source, self.total = source, total

    def get_total_items(self) -> int:
        return self.total

    def get_items(self, offset: int, limit: int) -> list[Any]:
        return self.source.get_items(offset, limit)

    def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        return self.source.get_items_after(field, value, limit)

    def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        return self.source.get_items_before(field, value, limit)


class _CountedAsync(AsyncDataHandler):
    """An async source whose total was given by the caller."""

    def __init__(self, source: AsyncDataHandler, total: int) -> None:
        self.source, self.total = source, total

    async def get_total_items(self) -> int:
        return self.total

    async def get_items(self, offset: int, limit: int) -> list[Any]:
        return await self.source.get_items(offset, limit)

    async def get_items_after(self, field: str, value: Any, limit: int) -> list[Any]:
        return await self.source.get_items_after(field, value, limit)

    async def get_items_before(self, field: str, value: Any, limit: int) -> list[Any]:
        return await self.source.get_items_before(field, value, limit)


__all__ = [
    "STRATEGIES",
    "AsyncDataHandler",
    "AsyncListDataHandler",
    "AsyncPaginator",
    "SyncDataHandler",
    "SyncListDataHandler",
    "SyncPaginator",
    "apaginate",
    "apaginate_request",
    "page_context",
    "paginate",
    "paginate_request",
    "resolve_strategy",
]
