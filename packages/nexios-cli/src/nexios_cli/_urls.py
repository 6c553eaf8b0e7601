"""``nexios urls``: the app's route table.

Works with any app exposing ``.routes`` (objects with ``path``, ``methods``, ``name`` and a
``handler`` or ``endpoint``), adds WebSocket routes from ``app.router.websocket_routes`` and mounts
from ``app.router.mounts`` where those exist, and says so plainly for an app without a table.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import click

from ._loading import describe_exception
from ._options import APP_HELP, CLIError, app_arguments, load_or_fail

HEADERS = ("METHODS", "PATH", "NAME", "HANDLER")


@dataclass(frozen=True)
class RouteRow:
    """One line of the table."""

    methods: str
    path: str
    name: str
    handler: str


def collect_routes(app: Any) -> list[RouteRow] | None:
    """The rows for ``app``, or ``None`` if it has no route table."""
    routes = _sequence(getattr(app, "routes", None))
    if routes is None:
        return None
    rows = [_row(route) for route in routes]
    router = getattr(app, "router", None)
    if router is not None:
        seen = {id(route) for route in routes}
        for route in _sequence(getattr(router, "websocket_routes", None)) or ():
            if id(route) not in seen:
                rows.append(_row(route, kind="WS"))
        for mount in _sequence(getattr(router, "mounts", None)) or ():
            if id(mount) not in seen:
                rows.append(_row(mount, kind="MOUNT"))
    return rows


def _sequence(value: Any) -> Sequence[Any] | None:
    if value is None or isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return None
    return list(value)


def _row(route: Any, kind: str | None = None) -> RouteRow:
    path = getattr(route, "path", None) or getattr(route, "prefix", None) or "?"
    name = getattr(route, "name", None)
    handler = next(
        (getattr(route, attr) for attr in ("handler", "endpoint", "app") if getattr(route, attr, None) is not None),
        None,
    )
    return RouteRow(
        methods=kind or _methods(route),
        path=str(path),
        name=str(name) if name else "-",
        handler=describe_callable(handler) if handler is not None else "-",
    )


def _methods(route: Any) -> str:
    methods = getattr(route, "methods", None)
    if methods:
        ordered = list(methods) if isinstance(methods, (list, tuple)) else sorted(methods)
        return ",".join(str(method) for method in ordered)
    # Route-like objects without methods, as other frameworks shape them.
    if "websocket" in type(route).__name__.lower():
        return "WS"
    if getattr(route, "app", None) is not None:
        return "MOUNT"
    return "ANY"


def describe_callable(obj: Any) -> str:
    """``module.qualname`` of a handler (of the wrapped function for a ``functools.partial``)."""
    while isinstance(obj, functools.partial):
        obj = obj.func
    # An instance with __call__ (a class-based handler or an ASGI app) is named by its class.
    described = obj if hasattr(obj, "__qualname__") else type(obj)
    qualname = str(described.__qualname__)
    module = getattr(described, "__module__", None)
    return f"{module}.{qualname}" if module else qualname


def format_table(rows: Sequence[RouteRow]) -> str:
    """A plain-text table, columns padded to their widest cell."""
    cells = [HEADERS, *((row.methods, row.path, row.name, row.handler) for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(len(HEADERS))]
    lines = [cells[0], tuple("-" * width for width in widths), *cells[1:]]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines
    )


@click.command(epilog=APP_HELP)
@app_arguments
@click.option("--json", "as_json", is_flag=True, help="Print the routes as a JSON list instead of a table.")
def urls(app: str | None, app_dir: str, factory: bool, as_json: bool) -> None:
    """List APP's routes: methods, path, name and handler."""
    loaded = load_or_fail(app, app_dir, factory)
    try:
        rows = collect_routes(loaded.app)
    except Exception as exc:  # a broken route table is the app's problem, shown in one line
        raise CLIError(f"Reading the routes of {loaded.label} failed: {describe_exception(exc)}") from None
    if as_json:
        click.echo(json.dumps(None if rows is None else [asdict(row) for row in rows], indent=2))
    elif rows is None:
        click.echo(f"{loaded.label} has no route table (a plain ASGI app): nothing to list.")
    elif not rows:
        click.echo(f"{loaded.label} has no routes yet.")
    else:
        click.echo(format_table(rows))


__all__ = ["RouteRow", "collect_routes", "describe_callable", "format_table", "urls"]
