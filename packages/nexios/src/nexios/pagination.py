"""``nexios.pagination``: page-number, limit-offset and cursor pagination (see
``docs/pagination.md``), used through ``response.paginate(items)`` and ``await
response.apaginate(source)``."""

from nexios_core.pagination import (
    MAX_CURSOR_LENGTH,
    BasePaginationStrategy,
    CursorPagination,
    InvalidCursorError,
    InvalidPageError,
    InvalidPageSizeError,
    LimitOffsetPagination,
    LinkBuilder,
    PageNumberPagination,
    PageRequest,
    PaginationError,
)
from nexios_core.paginators import (
    AsyncDataHandler,
    AsyncListDataHandler,
    AsyncPaginator,
    SyncDataHandler,
    SyncListDataHandler,
    SyncPaginator,
    apaginate,
    paginate,
)

__all__ = [
    "MAX_CURSOR_LENGTH",
    "AsyncDataHandler",
    "AsyncListDataHandler",
    "AsyncPaginator",
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
    "SyncDataHandler",
    "SyncListDataHandler",
    "SyncPaginator",
    "apaginate",
    "paginate",
]
