"""Upstream Nexios's ``DEFAULT_SERVER_CONFIG``: server settings read from the environment
(``HOST``, ``PORT``, ``WORKERS``, ``LOG_LEVEL``, ``RELOAD``...), with checks for each.

Nexios's own server settings are the options of ``nexios run`` (see ``docs/cli.md``); this is
the same information in upstream's shape, for code that reads it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal, TypedDict

InterfaceType = Literal["asgi", "wsgi", "asgi-http"]
HttpProtocolType = Literal["h11", "h2", "auto"]
LogLevelType = Literal["critical", "error", "warning", "info", "debug", "trace"]


class ServerConfigDict(TypedDict, total=False):
    """The keys of :data:`DEFAULT_SERVER_CONFIG`."""

    host: str
    port: int
    workers: int
    interface: InterfaceType
    http_protocol: HttpProtocolType
    log_level: LogLevelType
    reload: bool
    threading: bool
    access_log: bool


SERVER_VALIDATION: dict[str, Callable[[Any], bool]] = {
    "host": lambda value: isinstance(value, str),
    "port": lambda value: isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535,
    "workers": lambda value: isinstance(value, int) and not isinstance(value, bool) and value > 0,
    "interface": lambda value: value in ("asgi", "wsgi", "asgi-http"),
    "http_protocol": lambda value: value in ("h11", "h2", "auto"),
    "log_level": lambda value: value in ("critical", "error", "warning", "info", "debug", "trace"),
    "reload": lambda value: isinstance(value, bool),
    "threading": lambda value: isinstance(value, bool),
    "access_log": lambda value: isinstance(value, bool),
}
"""Checks for each server setting (``MakeConfig(..., validate=SERVER_VALIDATION)``)."""


def _int_from_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _bool_from_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "t", "yes", "y")


def server_config_from_env() -> ServerConfigDict:
    """The server settings the environment asks for, upstream's defaults elsewhere."""
    return {
        "host": os.environ.get("HOST", "127.0.0.1"),
        "port": _int_from_env("PORT", 4000),
        "workers": _int_from_env("WORKERS", min((os.cpu_count() or 1) + 1, 8)),
        "interface": os.environ.get("INTERFACE", "asgi"),  # type: ignore[typeddict-item]
        "http_protocol": os.environ.get("HTTP_PROTOCOL", "auto"),  # type: ignore[typeddict-item]
        "log_level": os.environ.get("LOG_LEVEL", "info"),  # type: ignore[typeddict-item]
        "reload": _bool_from_env("RELOAD", True),
        "threading": _bool_from_env("THREADING", False),
        "access_log": _bool_from_env("ACCESS_LOG", True),
    }


DEFAULT_SERVER_CONFIG: ServerConfigDict = server_config_from_env()
"""The server settings read from the environment when ``nexios.config`` was first imported."""

__all__ = ["DEFAULT_SERVER_CONFIG", "SERVER_VALIDATION", "ServerConfigDict", "server_config_from_env"]
