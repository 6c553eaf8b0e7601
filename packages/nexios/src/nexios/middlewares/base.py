"""``nexios.middlewares.base``: older upstream guides' path for ``nexios.middleware.base``."""

from ..middleware.base import BaseMiddleware

__all__ = ["BaseMiddleware"]
