"""``nexios.config.base``: upstream Nexios's module for ``MakeConfig`` and the server settings
``nexios run`` starts with (``DEFAULT_SERVER_CONFIG``, read from the environment)."""

from nexios_core import MakeConfig

from .._compat.server_config import DEFAULT_SERVER_CONFIG, SERVER_VALIDATION, ServerConfigDict

__all__ = ["DEFAULT_SERVER_CONFIG", "SERVER_VALIDATION", "MakeConfig", "ServerConfigDict"]
