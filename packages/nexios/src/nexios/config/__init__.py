"""``nexios.config``: ``MakeConfig``, and upstream's ``set_config`` / ``get_config`` accessors and
``DEFAULT_SERVER_CONFIG``."""

from nexios_core import MakeConfig

from .._compat.config import get_config, set_config
from .._compat.server_config import DEFAULT_SERVER_CONFIG

__all__ = ["DEFAULT_SERVER_CONFIG", "MakeConfig", "get_config", "set_config"]
