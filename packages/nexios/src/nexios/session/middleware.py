"""``nexios.session.middleware``: ``SessionMiddleware``."""

from nexios_session.middleware import MAX_COOKIE_SIZE, SessionMiddleware

__all__ = ["MAX_COOKIE_SIZE", "SessionMiddleware"]
