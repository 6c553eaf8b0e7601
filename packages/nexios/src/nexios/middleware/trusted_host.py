"""``nexios.middleware.trusted_host``: Trusted Host checking (reads `config.trusted_hosts` when given no options)."""

from __future__ import annotations

from nexios_core import TrustedHostMiddleware as _Core

from ._configured import ConfiguredMiddleware


class TrustedHostMiddleware(ConfiguredMiddleware):
    """Trusted Host checking (reads `config.trusted_hosts` when given no options).

    Add it with ``app.add_middleware(TrustedHostMiddleware())``.
    """

    core = _Core
    config_key = "trusted_hosts"
