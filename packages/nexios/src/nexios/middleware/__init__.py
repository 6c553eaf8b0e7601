"""``nexios.middleware``: middleware base class and the bundled HTTP middleware."""

from nexios_core import BaseMiddleware, Middleware

from .._compat.middleware import GzipMiddleware
from .cors import CORSMiddleware
from .csrf import CSRFMiddleware
from .gzip import GZipMiddleware
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
