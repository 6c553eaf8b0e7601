"""``nexios ping``: one in-process request to the app, no server, status and body printed."""

from __future__ import annotations

import os
from collections.abc import Sequence

import anyio
import click

from nexios_core import ASGIApp

from ._asgi_call import PlainResponse, StartupFailed, call_app
from ._loading import describe_exception
from ._options import APP_HELP, CLIError, app_arguments, load_or_fail

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
FAILURE_STATUS = 1
"""Exit status when the app answers 400 or above."""


class AppStartupError(Exception):
    """The app's lifespan start-up failed, so no request could be made."""


def ping_app(
    app: ASGIApp,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    *,
    follow_redirects: bool = False,
) -> PlainResponse:
    """Run the app's lifespan around one ``method path`` request and return the answer.

    Uses ``nexios_core.testclient.TestClient`` when httpx is installed, else a small built-in
    ASGI caller.
    """
    try:
        from nexios_core.testclient import LifespanFailed, TestClient
    except ImportError:  # httpx is an optional extra of nexios-core
        try:
            return anyio.run(call_app, app, method, path, headers, body, follow_redirects)
        except StartupFailed as exc:
            raise AppStartupError(str(exc)) from None
    # raise_server_exceptions=False: an app that crashes answers 500, as it would behind a server.
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=follow_redirects)
    try:
        client.__enter__()  # runs the lifespan start-up
    except LifespanFailed as exc:
        raise AppStartupError(str(exc)) from None
    except Exception:
        # The app raised instead of answering the lifespan protocol: like uvicorn's default
        # "auto" lifespan mode, take that as "unsupported" and serve it without.
        lifespan_running = False
    else:
        lifespan_running = True
    try:
        answer = client.request(method, path, headers=list(headers), content=body or None)
        return PlainResponse(answer.status_code, list(answer.headers.multi_items()), answer.content)
    finally:
        if lifespan_running:
            try:
                client.__exit__(None, None, None)
            except Exception as exc:  # the answer is still worth showing
                click.echo(f"Warning: shutdown failed: {describe_exception(exc)}", err=True)
        else:
            client.close()


def _parse_header(raw: str) -> tuple[str, str]:
    name, colon, value = raw.partition(":")
    if not colon or not name.strip():
        raise click.BadParameter(f"{raw!r} is not 'Name: value'", param_hint="'-H' / '--header'")
    return name.strip(), value.strip()


def _status_line(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status_code} {HTTPStatus(status_code).phrase}"
    except ValueError:
        return str(status_code)


@click.command(epilog=APP_HELP + " Exit status: 0 for an answer below 400, 1 otherwise, 2 if APP cannot be loaded.")
@app_arguments
@click.argument("path", required=False, metavar="PATH")
@click.option("-X", "--method", default="GET", show_default=True, type=click.Choice(METHODS, case_sensitive=False))
@click.option(
    "-H", "--header", "raw_headers", multiple=True, metavar="'NAME: VALUE'", help="Request header (repeatable)."
)
@click.option("-d", "--data", default=None, help="Request body (sent as given; set Content-Type with -H).")
@click.option("-i", "--include", is_flag=True, help="Print the response headers too.")
@click.option("-L", "--follow", is_flag=True, help="Follow redirects.")
def ping(app: str | None, app_dir: str, factory: bool, path: str | None, method: str, raw_headers: tuple[str, ...],
         data: str | None, include: bool, follow: bool) -> None:
    """Send one request for PATH to APP in-process and print the status and body.

    Example: nexios ping main:app /health (or just nexios ping /health to use the default APP).
    """
    if path is None:
        # One argument is the PATH (APP then comes from NEXIOS_APP or the default files): click
        # fills optional arguments left to right, so it landed in APP.
        if app is None or not app.startswith("/"):
            raise click.UsageError("Missing argument 'PATH', e.g. nexios ping main:app /health")
        path, app = app, os.environ.get("NEXIOS_APP") or None
    if not path.startswith("/"):
        raise click.BadParameter(f"{path!r} must start with '/', e.g. /health", param_hint="'PATH'")
    headers = [_parse_header(raw) for raw in raw_headers]
    loaded = load_or_fail(app, app_dir, factory)
    try:
        response = ping_app(loaded.app, method.upper(), path, headers, (data or "").encode(),
                            follow_redirects=follow)
    except AppStartupError as exc:
        raise CLIError(f"{loaded.label} failed to start: {exc}") from None
    except Exception as exc:  # the app broke the protocol; say how, in one line
        raise CLIError(f"Requesting {path} from {loaded.label} failed: {describe_exception(exc)}") from None
    click.echo(_status_line(response.status_code))
    if include:
        for name, value in response.headers:
            click.echo(f"{name}: {value}")
        click.echo()
    if response.body:
        click.echo(response.body.decode("utf-8", errors="replace"))
    if response.status_code >= 400:
        raise click.exceptions.Exit(FAILURE_STATUS)


__all__ = ["AppStartupError", "ping", "ping_app"]
