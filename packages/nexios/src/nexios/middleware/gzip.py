"""``nexios.middleware.gzip``: GZip compression (reads `config.gzip` when given no options)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nexios_core import GZipMiddleware as _Core

from ._configured import ConfiguredMiddleware

if TYPE_CHECKING:
    from .._compat.middleware import GzipMiddleware


class GZipMiddleware(ConfiguredMiddleware):
    """GZip compression (reads `config.gzip` when given no options).

    Add it with ``app.add_middleware(GZipMiddleware())``.
    """

    core = _Core
    config_key = "gzip"


def __getattr__(name: str) -> type[GZipMiddleware]:
    # `GzipMiddleware` (upstream's spelling) lives in the compatibility layer, which imports
    # this module: looked up on first use.
    if name == "GzipMiddleware":
        from .._compat.middleware import GzipMiddleware

        return GzipMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["GZipMiddleware", "GzipMiddleware"]
