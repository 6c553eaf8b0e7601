"""``nexios.session.base``: the session object and the backend interfaces."""

from nexios_session.interface import CookieSessionBackend, SessionBackend
from nexios_session.session import BaseSessionInterface, Session

__all__ = ["BaseSessionInterface", "CookieSessionBackend", "Session", "SessionBackend"]
