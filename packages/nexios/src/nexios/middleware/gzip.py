"""``nexios.middleware.gzip``: GZip compression (reads `config.gzip` when given no options)."""

from __future__ import annotations

from nexios_core import GZipMiddleware as _Core

from ._configured import ConfiguredMiddleware


class GZipMiddleware(ConfiguredMiddleware):
    """GZip compression (reads `config.gzip` when given no options).

    Add it with ``app.add_middleware(GZipMiddleware())``.
    """

    core = _Core
    config_key = "gzip"


GzipMiddleware = GZipMiddleware

__all__ = ["GZipMiddleware", "GzipMiddleware"]
