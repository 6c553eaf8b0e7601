"""``nexios.middleware.security``: Security headers (reads `config.security` when given no options)."""

from __future__ import annotations

from nexios_core import SecurityHeadersMiddleware as _Core

from ._configured import ConfiguredMiddleware


class SecurityMiddleware(ConfiguredMiddleware):
    """Security headers (reads `config.security` when given no options).

    Add it with ``app.add_middleware(SecurityMiddleware())``.
    """

    core = _Core
    config_key = "security"
