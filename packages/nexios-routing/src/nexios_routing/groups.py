"""``Group``: a prefix with middleware over either a list of routes or a whole ASGI app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nexios_core import ASGIApp

from .router import Router


class Group(Router):
    """``Group("/api", routes=[...], middleware=[...])`` groups routes under a prefix;
    ``Group("/legacy", app=other_asgi_app, middleware=[...])`` serves an ASGI app there, with the
    group's function middleware running before it (to check authentication, for example)."""

    def __init__(
        self,
        path: str = "",
        routes: Sequence[Any] | None = None,
        *,
        app: ASGIApp | None = None,
        middleware: Sequence[Any] | None = None,
        tags: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(prefix=path, routes=routes, tags=tags, middleware=middleware, name=name)
        if app is not None:
            if routes:
                raise TypeError("A Group takes routes or an app, not both")
            self.mount("", app)


__all__ = ["Group"]
