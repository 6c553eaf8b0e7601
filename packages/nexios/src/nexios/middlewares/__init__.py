"""``nexios.middlewares``: the package name older upstream Nexios guides import middleware from
(``from nexios.middlewares.cors import CORSMiddleware``); the same classes as ``nexios.middleware``."""

from ..middleware import (
    BaseMiddleware,
    CORSMiddleware,
    CSRFMiddleware,
    GZipMiddleware,
    GzipMiddleware,
    SecurityMiddleware,
)

__all__ = [
    "BaseMiddleware",
    "CORSMiddleware",
    "CSRFMiddleware",
    "GZipMiddleware",
    "GzipMiddleware",
    "SecurityMiddleware",
]
