"""Upstream Nexios's ``StaticFilesHandler``: static files served by a route handler
(``Routes("/static/{path:path}", StaticFilesHandler(directory="static"))``), on top of
``nexios_core.StaticFiles`` and its containment checks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from nexios_core import BaseResponse, ImproperlyConfigured, Request, Response, StaticFiles

MOUNT_PATH_SCOPE_KEY = "nexios.mount_path"
"""Where ``StaticFiles`` reads the path it serves (the path below its mount)."""


class StaticFilesHandler:
    """A route handler serving the file named by the route's ``path`` parameter from
    ``directory`` (or the first of ``directories`` that has it). ``url_prefix`` is where the
    route lives (documentation only: the route's own path decides). Other options are
    ``StaticFiles``'s (``html=``, ``cache_max_age=``, ``allow_hidden=``...)."""

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        directories: Sequence[str | os.PathLike[str]] | None = None,
        url_prefix: str = "/static/",
        **options: Any,
    ) -> None:
        if directory is None and not directories:
            raise ImproperlyConfigured("StaticFilesHandler needs directory=... or directories=[...]")
        self.files = StaticFiles(directory, directories=directories, **options)
        self.url_prefix = url_prefix

    async def __call__(self, request: Request, response: Response) -> BaseResponse:
        relative = request.path_params.get("path")
        if not isinstance(relative, str):
            raise ImproperlyConfigured(
                "StaticFilesHandler serves a route with a {path:path} parameter, e.g. "
                "Routes('/static/{path:path}', handler)"
            )
        scope = dict(request.scope)
        scope[MOUNT_PATH_SCOPE_KEY] = "/" + relative
        return await self.files.get_response(scope)


__all__ = ["StaticFilesHandler"]
