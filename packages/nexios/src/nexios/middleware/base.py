"""``nexios.middleware.base``: ``BaseMiddleware`` with ``process_request``/``process_response``."""

from nexios_core import BaseMiddleware

__all__ = ["BaseMiddleware"]
