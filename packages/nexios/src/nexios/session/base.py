"""``nexios.session.base``: the session object and the backend interfaces.

``BaseSessionInterface`` is the session object with upstream Nexios's method names, and the base
of upstream-style custom sessions (see :mod:`nexios._compat.session`).
"""

from nexios_session import CookieSessionBackend, Session, SessionBackend

from .._compat.session import BaseSessionInterface

__all__ = ["BaseSessionInterface", "CookieSessionBackend", "Session", "SessionBackend"]
