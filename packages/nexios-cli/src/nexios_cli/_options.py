"""Click pieces shared by the commands that work on an app: the APP argument, ``--app-dir``,
``--factory``, and the error type that prints one line and exits with status 2."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

from ._loading import AppLoadError, LoadedApp, LocatedApp, load_app, locate_app

_F = TypeVar("_F", bound=Callable[..., Any])

USAGE_ERROR_STATUS = 2
"""Exit status for anything the user can fix by changing the command or the app's location."""


class CLIError(click.ClickException):
    """A mistake the user can fix: printed as ``Error: <one line>``, exit status 2, no traceback."""

    exit_code = USAGE_ERROR_STATUS

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message on one line to stderr."""
        click.echo(f"Error: {self.format_message()}", file=file, err=file is None)


def app_arguments(command: _F) -> _F:
    """Add APP (optional, also read from ``NEXIOS_APP``), ``--app-dir`` and ``--factory``."""
    command = click.option(
        "--factory",
        is_flag=True,
        help="APP names a function that builds the app; call it (same as writing module:factory()).",
    )(command)
    command = click.option(
        "--app-dir",
        default=".",
        show_default=True,
        type=click.Path(file_okay=False, dir_okay=True),
        help="Directory put first on sys.path to import APP from.",
    )(command)
    return click.argument("app", required=False, envvar="NEXIOS_APP", metavar="[APP]")(command)


def load_or_fail(app: str | None, app_dir: str, factory: bool) -> LoadedApp:
    """:func:`load_app`, with its errors turned into :class:`CLIError`."""
    try:
        return load_app(app, app_dir, factory)
    except AppLoadError as exc:
        raise CLIError(str(exc)) from None


def locate_or_fail(app: str | None, app_dir: str, factory: bool) -> LocatedApp:
    """:func:`locate_app`, with its errors turned into :class:`CLIError`."""
    try:
        return locate_app(app, app_dir, factory)
    except AppLoadError as exc:
        raise CLIError(str(exc)) from None


APP_HELP = (
    "APP is module:attribute (e.g. main:app), module:factory() or path/to/file.py:attribute; "
    "a bare module means its `app`. Without APP: $NEXIOS_APP, else app.py or main.py in --app-dir."
)
"""Appended to the help of every command that takes APP."""

__all__ = ["APP_HELP", "USAGE_ERROR_STATUS", "CLIError", "app_arguments", "load_or_fail", "locate_or_fail"]
