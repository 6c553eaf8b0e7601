"""``nexios.middlewares.csrf``: older upstream guides' path for ``nexios.middleware.csrf``."""

from ..middleware.csrf import CSRFMiddleware

__all__ = ["CSRFMiddleware"]
