"""``nexios.middleware.base``: ``BaseMiddleware`` with ``process_request``/``process_response``."""

from nexios_core.middleware.base import BaseMiddleware

__all__ = ["BaseMiddleware"]
