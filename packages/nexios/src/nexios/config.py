"""``nexios.config``: ``MakeConfig``, ``set_config``, ``get_config``."""

from nexios_core.config import MakeConfig, get_config, set_config

__all__ = ["MakeConfig", "get_config", "set_config"]
