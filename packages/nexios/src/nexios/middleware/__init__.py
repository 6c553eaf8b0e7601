"""``nexios.middleware``: middleware base class and the bundled HTTP middleware."""

from nexios_core.middleware.asgi import Middleware
from nexios_core.middleware.base import BaseMiddleware

from .cors import CORSMiddleware
from .csrf import CSRFMiddleware
from .gzip import GZipMiddleware, GzipMiddleware
from .ratelimit import RateLimitMiddleware
from .security import SecurityMiddleware
from .trusted_host import TrustedHostMiddleware

__all__ = [
    "BaseMiddleware",
    "CORSMiddleware",
    "CSRFMiddleware",
    "GZipMiddleware",
    "GzipMiddleware",
    "Middleware",
    "RateLimitMiddleware",
    "SecurityMiddleware",
    "TrustedHostMiddleware",
]
