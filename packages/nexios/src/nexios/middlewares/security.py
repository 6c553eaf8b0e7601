"""``nexios.middlewares.security``: older upstream guides' path for ``nexios.middleware.security``."""

from ..middleware.security import SecurityMiddleware

__all__ = ["SecurityMiddleware"]
