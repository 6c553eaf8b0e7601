"""``nexios.middleware.cors``: CORS (reads `config.cors` when given no options)."""

from __future__ import annotations

from nexios_core import CORSMiddleware as _Core

from ._configured import ConfiguredMiddleware


class CORSMiddleware(ConfiguredMiddleware):
    """CORS (reads `config.cors` when given no options). Add it with ``app.add_middleware(CORSMiddleware())``."""

    core = _Core
    config_key = "cors"
