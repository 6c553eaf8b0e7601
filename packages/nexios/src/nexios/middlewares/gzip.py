"""``nexios.middlewares.gzip``: older upstream guides' path for ``nexios.middleware.gzip``."""

from ..middleware.gzip import GZipMiddleware, GzipMiddleware

__all__ = ["GZipMiddleware", "GzipMiddleware"]
