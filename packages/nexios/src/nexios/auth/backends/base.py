"""``nexios.auth.backends.base``: the backend interface, where upstream Nexios 3 kept it.

The same class as ``nexios.auth.base.AuthenticationBackend``: subclass it and implement
``async authenticate(request, response)`` returning ``(user, "auth type")`` or ``None``.
Upstream 3's ``AuthResult`` class is not provided (see ``docs/migrating.md``, M30).
"""

from __future__ import annotations

from nexios_auth.backends.base import AuthenticationBackend

__all__ = ["AuthenticationBackend"]
