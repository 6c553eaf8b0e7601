"""``nexios shell``: an interactive Python console with the app loaded.

It is the standard library's ``code.interact``: it reads stdin line by line, so it works in a
terminal (with history and tab completion where ``readline`` exists) and with piped input alike.
"""

from __future__ import annotations

import code
import sys
import traceback
from collections.abc import Awaitable
from typing import Any, TypeVar

import anyio
import click

from ._loading import LoadedApp
from ._options import APP_HELP, app_arguments, load_or_fail

_T = TypeVar("_T")


def run_async(awaitable: Awaitable[_T]) -> _T:
    """Run an awaitable to completion from the (synchronous) console: ``run_async(fetch())``."""

    async def wait() -> _T:
        return await awaitable

    return anyio.run(wait)


def shell_namespace(loaded: LoadedApp) -> dict[str, Any]:
    """The console's globals: the app module's public names, then ``app``, ``run_async`` and,
    when httpx is installed, ``TestClient`` and ``client`` (a ``TestClient(app)``)."""
    namespace: dict[str, Any] = {
        name: value for name, value in vars(loaded.module).items() if not name.startswith("_")
    }
    namespace.update(app=loaded.app, run_async=run_async, __name__="__console__", __doc__=None)
    try:
        from nexios_core.testclient import TestClient
    except ImportError:  # httpx is an optional extra of nexios-core
        return namespace
    namespace.update(TestClient=TestClient, client=TestClient(loaded.app))
    return namespace


def _banner(loaded: LoadedApp, namespace: dict[str, Any]) -> str:
    extras = [name for name in ("client", "TestClient", "run_async") if name in namespace]
    return (
        f"Nexios shell (Python {sys.version.split()[0]})\n"
        f"app = {loaded.label} ({type(loaded.app).__name__})\n"
        f"Also here: {', '.join(extras)} and the public names of {loaded.module.__name__}. "
        "Ctrl-D (Ctrl-Z then Enter on Windows) to leave."
    )


def _enable_completion(namespace: dict[str, Any]) -> None:
    # Only at a terminal: with piped input readline has nothing to do.
    try:
        import readline
        import rlcompleter
    except ImportError:
        return
    readline.set_completer(rlcompleter.Completer(namespace).complete)
    readline.parse_and_bind("tab: complete")


@click.command(epilog=APP_HELP)
@app_arguments
@click.option("-c", "--command", "source", default=None, help="Run this code with the app loaded, then exit.")
def shell(app: str | None, app_dir: str, factory: bool, source: str | None) -> None:
    """Open a Python console with APP loaded as `app`."""
    loaded = load_or_fail(app, app_dir, factory)
    namespace = shell_namespace(loaded)
    if source is not None:
        try:
            exec(compile(source, "<nexios shell -c>", "exec"), namespace)
        except Exception:
            # The user's own code at their own prompt: the traceback is what they want to see.
            traceback.print_exc()
            raise click.exceptions.Exit(1) from None
        return
    if sys.stdin.isatty():
        _enable_completion(namespace)
    code.interact(banner=_banner(loaded, namespace), local=namespace, exitmsg="")


__all__ = ["run_async", "shell", "shell_namespace"]
