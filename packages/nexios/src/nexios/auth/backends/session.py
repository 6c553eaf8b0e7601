"""``nexios.auth.backends.session``: the session backend and login/logout."""

from __future__ import annotations

from nexios_auth.sessions import SESSION_USER_KEY, login, logout

from ..._compat.auth import SessionAuthBackend

__all__ = ["SESSION_USER_KEY", "SessionAuthBackend", "login", "logout"]
