"""``nexios.middlewares.cors``: older upstream guides' path for ``nexios.middleware.cors``."""

from ..middleware.cors import CORSMiddleware

__all__ = ["CORSMiddleware"]
