"""``nexios.auth.backends.session``: the session backend and login/logout."""

from __future__ import annotations

from nexios_auth.backends.session import SessionAuthBackend
from nexios_auth.sessions import SESSION_USER_KEY, login, logout

__all__ = ["SESSION_USER_KEY", "SessionAuthBackend", "login", "logout"]
