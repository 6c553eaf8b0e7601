"""Upstream Nexios's spellings of middleware names."""

from __future__ import annotations

from ..middleware.gzip import GZipMiddleware

GzipMiddleware = GZipMiddleware
"""Upstream's spelling of :class:`nexios.middleware.gzip.GZipMiddleware`."""

__all__ = ["GzipMiddleware"]
