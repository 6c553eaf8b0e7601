"""``nexios openapi``: the app's OpenAPI document, printed or written to a file.

The CLI depends on nexios-core only, so it asks the app rather than importing a generator: an app
with an ``openapi()`` method (``NexiosApp``, and FastAPI's apps too) returns its document; any
other app is asked in process for ``GET /openapi.json`` (``--path``), with its lifespan run
around the request, as ``nexios ping`` does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from nexios_core import ASGIApp

from ._loading import describe_exception
from ._options import APP_HELP, CLIError, app_arguments, load_or_fail
from ._ping import AppStartupError, ping_app


def document_of(app: ASGIApp, path: str) -> Any:
    """The OpenAPI document of ``app`` (see the module docstring); raises :class:`CLIError`."""
    describe = getattr(app, "openapi", None)
    if callable(describe):
        try:
            document = describe()
        except Exception as exc:
            raise CLIError(f"Building the OpenAPI document failed: {describe_exception(exc)}") from None
        if isinstance(document, Mapping):
            return document
        raise CLIError(f"app.openapi() returned {type(document).__name__}, not a document")
    try:
        answer = ping_app(app, "GET", path, [("accept", "application/json")])
    except AppStartupError as exc:
        raise CLIError(f"The app's start-up failed: {exc}") from None
    if answer.status_code != 200:
        raise CLIError(f"The app has no openapi() method and answers GET {path} with {answer.status_code}; "
                       "pass --path if it serves its document elsewhere")
    try:
        return json.loads(answer.body)
    except ValueError:
        raise CLIError(f"GET {path} did not answer JSON") from None


@click.command(epilog=APP_HELP)
@app_arguments
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the document to this file instead of printing it.")
@click.option("--path", "document_path", default="/openapi.json", show_default=True,
              help="Where to ask for the document when the app has no openapi() method.")
@click.option("--indent", type=click.IntRange(min=0), default=2, show_default=True,
              help="Spaces per indentation level (0: one line).")
def openapi(app: str | None, app_dir: str, factory: bool, output: Path | None, document_path: str,
            indent: int) -> None:
    """Print APP's OpenAPI document as JSON (or write it with -o)."""
    loaded = load_or_fail(app, app_dir, factory)
    document = document_of(loaded.app, document_path)
    text = json.dumps(document, indent=indent or None, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"Cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote the OpenAPI document of {loaded.label} to {output}", err=True)


__all__ = ["document_of", "openapi"]
