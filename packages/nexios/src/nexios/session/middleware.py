"""``nexios.session.middleware``: ``SessionMiddleware``, whose ``request.session`` has upstream
Nexios's method names too (``set_session``, ``get_session``...)."""

from nexios_session.middleware import MAX_COOKIE_SIZE

from .._compat.session import SessionMiddleware

__all__ = ["MAX_COOKIE_SIZE", "SessionMiddleware"]
