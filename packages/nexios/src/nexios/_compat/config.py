"""``get_config()`` and ``set_config()``: upstream Nexios's process-wide configuration accessors.

Configuration belongs to each app (``app.config``). These accessors find it without an app at
hand: during a request, a WebSocket connection or the lifespan, ``get_config()`` is the config of
the app handling it (two apps in one process each see their own); elsewhere (module level, a
script), it is the config most recently given to ``set_config`` or to a new app. Code of the
framework never reads it: only applications do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nexios_core import MakeConfig, current_app

_outside_requests: MakeConfig | None = None


def set_config(config: MakeConfig | Mapping[str, Any] | None = None, **keys: Any) -> MakeConfig:
    """Make ``config`` (and ``keys``) what ``get_config()`` returns outside a request. Apps
    created afterwards do not adopt it: pass ``config=`` to the app for that."""
    global _outside_requests
    merged = MakeConfig({**dict(config or {}), **keys}) if keys or not isinstance(config, MakeConfig) else config
    _outside_requests = merged
    return merged


def remember_app_config(config: MakeConfig) -> None:
    """Called by ``NexiosApp``: a new app's config is what ``get_config()`` returns outside a
    request, as upstream's constructor made it."""
    global _outside_requests
    _outside_requests = config


def get_config() -> MakeConfig:
    """The config of the app handling the current request (or WebSocket, or lifespan); outside
    of one, the last config given to ``set_config`` or to a new app. ``RuntimeError`` before any."""
    app = current_app()
    config = getattr(app, "config", None)
    if isinstance(config, MakeConfig):
        return config
    if _outside_requests is None:
        raise RuntimeError("No configuration yet: create the app (get_application(config=...)) "
                           "or call set_config(...) first")
    return _outside_requests


__all__ = ["get_config", "remember_app_config", "set_config"]
