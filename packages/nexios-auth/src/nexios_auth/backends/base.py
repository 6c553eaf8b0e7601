"""The interface every authentication backend implements (ours and third parties').

:class:`AuthenticationBackend` is a seam of the core: it is defined in ``nexios_core`` (so that a
backend published on its own needs only ``nexios-core``) and re-exported here.
"""

from __future__ import annotations

from nexios_core import AuthenticationBackend, AuthResult

__all__ = ["AuthResult", "AuthenticationBackend"]
