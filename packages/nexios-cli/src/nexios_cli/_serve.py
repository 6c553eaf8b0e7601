"""``nexios run`` and ``nexios dev``: serve the app with uvicorn."""

from __future__ import annotations

import copy
import importlib.util
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
import uvicorn
import uvicorn.config

from nexios_core.logs import logging_config as structured_logging_config
from nexios_core.request_log import ACCESS_LOGGER

from ._options import APP_HELP, CLIError, app_arguments, load_or_fail, locate_or_fail

_F = TypeVar("_F", bound=Callable[..., Any])

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")

FRAMEWORK_LOGGER = "nexios"
"""The logger Nexios reports through (server errors with their request id, start-up failures)."""


LOG_FORMATS = ("uvicorn", "text", "json")


def logging_config(log_level: str, log_format: str = "uvicorn") -> dict[str, Any]:
    """uvicorn's logging set-up, plus the ``nexios`` logger at the same level and through the
    same handler, so the framework's messages (and ``debug`` ones under ``nexios dev``) appear
    in the server's log formatted like the server's own.

    ``log_format="json"`` (or ``"text"``) instead sends every record through one handler as one
    JSON object (or one line) per record with its request id, and replaces uvicorn's access log
    with Nexios's (route templates, durations, never query strings): see
    :mod:`nexios_core.logs`. uvicorn applies it in every worker process."""
    level = uvicorn.config.LOG_LEVELS[log_level]  # a number: "trace" is only a name inside uvicorn
    if log_format != "uvicorn":
        return structured_logging_config(log_format, level)  # type: ignore[arg-type]
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"][FRAMEWORK_LOGGER] = {"handlers": ["default"], "level": level, "propagate": False}
    # uvicorn's access log is the one here: without this, ``nexios.access`` would inherit the
    # level above and every request would be logged twice (and pay for the second record).
    config["loggers"][ACCESS_LOGGER] = {"level": "WARNING"}
    return config


def serve(
    app: str | None,
    *,
    app_dir: str,
    factory: bool,
    host: str,
    port: int,
    workers: int,
    reload: bool,
    reload_dirs: Sequence[str],
    log_level: str,
    root_path: str,
    log_format: str = "uvicorn",
    timeout_graceful_shutdown: float | None = None,
) -> None:
    """Check the app can be loaded, then hand it to uvicorn until the server stops.
    ``timeout_graceful_shutdown`` bounds how long a stopping server waits for requests in
    flight before cancelling them (``None``: as long as they take)."""
    if reload and workers > 1:
        raise CLIError("--reload and --workers cannot be combined: reloading runs a single worker")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "log_config": logging_config(log_level, log_format),
        "root_path": root_path,
        "timeout_graceful_shutdown": timeout_graceful_shutdown,
    }
    if log_format != "uvicorn":
        options["access_log"] = False  # the app writes its own (nexios.access)
    if reload or workers > 1:
        # Reloading and worker processes import the app afresh in each child, so uvicorn needs
        # its import string. Importing it here first turns a typo into a one-line error instead
        # of a traceback repeated by every child.
        located = locate_or_fail(app, app_dir, factory)
        click.echo(f"Serving {located.label}", err=True)
        uvicorn.run(
            located.import_string,
            factory=located.factory,
            app_dir=str(located.app_dir),
            reload=reload,
            reload_dirs=list(reload_dirs) or [str(located.app_dir)],
            workers=workers if workers > 1 else None,
            **options,
        )
    else:
        loaded = load_or_fail(app, app_dir, factory)
        click.echo(f"Serving {loaded.label}", err=True)
        server = GoingAwayServer(uvicorn.Config(loaded.app, **options), loaded.app)
        server.run()
        if not server.started:
            sys.exit(3)  # what uvicorn.run exits with when the app fails to start


class GoingAwayServer(uvicorn.Server):
    """uvicorn's server, letting the app close its WebSockets with 1001 ("going away") on
    shutdown before uvicorn closes whatever is left with 1012.

    Plain uvicorn closes every open WebSocket before it tells the app to shut down, so clients
    would otherwise never see 1001. Apps without ``close_websockets()`` behave as with uvicorn.
    """

    def __init__(self, config: uvicorn.Config, app: Any) -> None:
        super().__init__(config)
        self._app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        close_websockets = getattr(self._app, "close_websockets", None)
        if callable(close_websockets):
            try:
                await close_websockets()
            except Exception:  # the server must still shut down
                logging.getLogger("nexios").exception("Closing WebSockets at shutdown failed")
        await super().shutdown(sockets=sockets)


def _server_options(command: _F) -> _F:
    command = click.option(
        "--root-path", default="", help="Prefix the app is mounted under behind a proxy (ASGI root_path)."
    )(command)
    command = click.option(
        "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
    )(command)
    return click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")(command)


def _log_format_option(command: _F) -> _F:
    return click.option(
        "--log-format",
        default="uvicorn",
        show_default=True,
        type=click.Choice(LOG_FORMATS),
        help="uvicorn: the server's own lines; text or json: one line (or JSON object) per record with "
        "its request id, and Nexios's access log (route templates, durations, no query strings).",
    )(command)


def _reload_dir_option(command: _F) -> _F:
    return click.option(
        "--reload-dir",
        "reload_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False),
        help="Directory to watch for changes (repeatable; default: the app directory).",
    )(command)


@click.command(epilog=APP_HELP)
@app_arguments
@_server_options
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Worker processes.")
@click.option("--reload", is_flag=True, help="Restart when files change (development only).")
@_reload_dir_option
@click.option("--log-level", default="info", show_default=True, type=click.Choice(LOG_LEVELS))
@_log_format_option
@click.option(
    "--timeout-graceful-shutdown",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="On SIGTERM/SIGINT, wait at most this long for requests in flight (streams, long polls) "
    "before cancelling them. Default: wait for them all.",
)
def run(
    app: str | None,
    app_dir: str,
    factory: bool,
    host: str,
    port: int,
    root_path: str,
    workers: int,
    reload: bool,
    reload_dirs: tuple[str, ...],
    log_level: str,
    log_format: str,
    timeout_graceful_shutdown: float | None,
) -> None:
    """Serve APP with uvicorn."""
    serve(
        app,
        app_dir=app_dir,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        reload_dirs=reload_dirs,
        log_level=log_level,
        root_path=root_path,
        log_format=log_format,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
    )


@click.command(epilog=APP_HELP)
@app_arguments
@_server_options
@_reload_dir_option
@_log_format_option
def dev(app: str | None, app_dir: str, factory: bool, host: str, port: int, root_path: str,
        reload_dirs: tuple[str, ...], log_format: str) -> None:
    """Serve APP for development: reload on change, debug logging."""
    if importlib.util.find_spec("watchfiles") is None:
        click.echo("watchfiles is not installed: polling for changes (pip install watchfiles)", err=True)
    serve(
        app,
        app_dir=app_dir,
        factory=factory,
        host=host,
        port=port,
        workers=1,
        reload=True,
        reload_dirs=reload_dirs,
        log_level="debug",
        root_path=root_path,
        log_format=log_format,
    )


__all__ = ["FRAMEWORK_LOGGER", "LOG_FORMATS", "LOG_LEVELS", "dev", "logging_config", "run", "serve"]
