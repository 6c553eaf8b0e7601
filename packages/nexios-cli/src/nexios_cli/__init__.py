"""nexios-cli: the ``nexios`` command (new, run, dev, urls, ping, shell).

The command itself is :func:`nexios_cli.main.main`. The names here are for tools that want to find
an app the way the command does.
"""

from __future__ import annotations

from ._loading import AppLoadError, LoadedApp, check_asgi_app, load_app
from .main import main

__all__ = ["AppLoadError", "LoadedApp", "check_asgi_app", "load_app", "main"]
