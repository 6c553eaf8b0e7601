"""Nexios: an Express-style, fast ASGI web framework.

This package is the facade: it composes the ``nexios_*`` distributions and provides the
documented import paths (``nexios.http``, ``nexios.routing``, ``nexios.testclient``...).
"""

from importlib.metadata import PackageNotFoundError, version

from nexios_core import MakeConfig
from nexios_di import Context, Depend

from ._compat.routing import Group, Router, Routes, WSRouter
from .application import NexiosApp, get_application

try:
    __version__ = version("nexios")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

__all__ = [
    "Context",
    "Depend",
    "Group",
    "MakeConfig",
    "NexiosApp",
    "Router",
    "Routes",
    "WSRouter",
    "__version__",
    "get_application",
]
